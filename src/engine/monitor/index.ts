// The engine's side of berth-monitor (native/monitor/monitor.c): the container's parent outside the daemon.
export { monitorArgs, defaultMonitorPath, type MonitorOptions } from './monitor-args.js';
export { readExitFile, type ExitRecord } from './exit-file.js';
export { connectMonitor, demux, type MonitorConnection } from './client.js';
export { FrameSplitter, type MonitorFrame } from './frames.js';
export { watchExit } from './watch-exit.js';
export { resizeTty, closeStdin } from './control.js';
