/** WindowManager: receive-window bookkeeping and h2's automatic WINDOW_UPDATE heuristic. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FlowControlError } from '../../src/core/exceptions';
import { LARGEST_FLOW_CONTROL_WINDOW, WindowManager } from '../../src/core/windows';

const Windows = suite('WindowManager');
const isFlowControlError = (e: unknown): boolean => e instanceof FlowControlError;

Windows('received data shrinks the window, and overrunning it is a FlowControlError', () => {
  const w = new WindowManager(100);
  w.windowConsumed(60);
  assert.is(w.currentWindowSize, 40);
  w.windowConsumed(40);
  assert.is(w.currentWindowSize, 0);
  assert.throws(() => w.windowConsumed(1), (e: unknown) => isFlowControlError(e) && /shrunk below 0/.test((e as Error).message));
});

Windows('opening the window raises the target size with it, but never past 2^31-1', () => {
  const w = new WindowManager(65535);
  w.windowOpened(1000);
  assert.equal([w.currentWindowSize, w.maxWindowSize], [66535, 66535]);
  w.windowConsumed(10000);
  w.windowOpened(10);
  assert.equal([w.currentWindowSize, w.maxWindowSize], [56545, 66535]);
  assert.throws(() => w.windowOpened(LARGEST_FLOW_CONTROL_WINDOW), isFlowControlError);
  assert.throws(() => new WindowManager(2 ** 31), isFlowControlError);
});

Windows('nothing processed means no update at all', () => {
  assert.is(new WindowManager(65535).processBytes(0), null);
});

Windows('processing less than half the window emits nothing while the window has room', () => {
  const w = new WindowManager(65535);
  w.windowConsumed(40000);
  assert.is(w.processBytes(32766), 0);
  assert.is(w.currentWindowSize, 25535);
});

Windows('processing half the window gives back everything processed', () => {
  const w = new WindowManager(65535);
  w.windowConsumed(40000);
  assert.is(w.processBytes(32766), 0);
  assert.is(w.processBytes(1), 32767);
  assert.is(w.currentWindowSize, 58302);
  assert.is(w.processBytes(10), 0);
});

Windows('an exhausted window is reopened after min(1024, max/4) bytes, so the stream cannot stall', () => {
  const w = new WindowManager(65535);
  w.windowConsumed(65535);
  assert.is(w.processBytes(1024), 0);
  assert.is(w.processBytes(1), 1025);
  const small = new WindowManager(100);
  small.windowConsumed(100);
  assert.is(small.processBytes(25), 0);
  assert.is(small.processBytes(1), 26);
});

Windows('the increment never takes the window above its target size', () => {
  const w = new WindowManager(1000);
  w.windowConsumed(100);
  assert.is(w.processBytes(600), 100);
  assert.is(w.currentWindowSize, 1000);
  assert.is(w.processBytes(1), 0);
});

Windows.run();
