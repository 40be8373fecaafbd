// The background's `browser`: the polyfill itself, which the background hands to the wrappers of
// browser-api-worker.ts. Kept apart from them because the polyfill throws when loaded outside an extension, and
// the unit tests load those wrappers with fake namespaces.
export { default as browser } from 'webextension-polyfill';
