/**
 * The renderer's only door to the core: one MessagePort per page load, asked
 * of main and handed to the page's main world by window.postMessage (a live
 * port cannot cross contextBridge). No ipcRenderer, no Node reach the page.
 */
import { contextBridge, ipcRenderer } from 'electron';

contextBridge.exposeInMainWorld('boxscopeHost', { kind: 'electron' });

ipcRenderer.on('boxscope:port', (event) => {
  const [port] = event.ports;
  if (port) window.postMessage('boxscope:port', window.location.origin, [port]);
});
ipcRenderer.send('boxscope:connect');
