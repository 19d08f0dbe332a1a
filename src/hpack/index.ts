/**
 * h2flow/hpack: HPACK header compression (RFC 7541) for HTTP/2.
 * Sans-I/O hpack layer: the public surface. Port of the hpack package's __init__.py.
 */
export { Encoder, type EncodeOptions, type HeadersInput } from './encoder.ts';
export { Decoder, DEFAULT_MAX_HEADER_LIST_SIZE, type DecodeOptions, type HeaderField } from './decoder.ts';
export { HeaderTuple, NeverIndexedHeaderTuple, type HeaderString } from './header-tuple.ts';
export { DynamicTable, DEFAULT_TABLE_SIZE, entrySize } from './dynamic-table.ts';
export { STATIC_TABLE } from './static-table.ts';
export { huffmanDecode, huffmanEncode } from './huffman.ts';
export {
  COMPRESSION_ERROR,
  HPACKError,
  HPACKDecodingError,
  InvalidTableIndexError,
  OversizedHeaderListError,
  InvalidTableSizeError,
} from './errors.ts';
