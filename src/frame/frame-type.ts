/*
 * Frame type codes: RFC 9113 §6 core frames, ALTSVC (RFC 7838) and PRIORITY_UPDATE (RFC 9218).
 * Frame layer (sans-I/O). Port of the `type` class attributes of hyperframe/frame.py.
 */

/** The frame type octet of every frame h2flow interprets; other values become `ExtensionFrame`s. */
export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
  ALTSVC: 0xa,
  PRIORITY_UPDATE: 0x10,
} as const;

/** One of the numeric values of {@link FrameType}. */
export type FrameTypeCode = (typeof FrameType)[keyof typeof FrameType];
