/**
 * The renderer's only door to the core: one MessagePort per page load, asked
 * of main and handed to the page's main world by window.postMessage (a live
 * port cannot cross contextBridge). No ipcRenderer, no Node reach the page.
 * `pathForFile` gives the path of a File the user chose or dropped (the core
 * then streams it from disk, traces:importFile); '' for one not on disk.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';

contextBridge.exposeInMainWorld('boxscopeHost', {
  kind: 'electron',
  pathForFile: (file: File) => webUtils.getPathForFile(file),
});

ipcRenderer.on('boxscope:port', (event) => {
  const [port] = event.ports;
  if (port) window.postMessage('boxscope:port', window.location.origin, [port]);
});
ipcRenderer.send('boxscope:connect');
