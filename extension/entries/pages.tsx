// One entry for the popup and the options page, so each loads a single script (no chunk shared with the worker).
import { render } from 'preact';
import css from '../lib/ui/ui.css?inline';
import { App } from '../lib/popup/app.tsx';
import { Options } from '../lib/options/options.tsx';

// The styles ride in the script: one request fewer before the first frame (MV3's CSP allows <style>).
document.head.append(Object.assign(document.createElement('style'), { textContent: css }));
const isOptions = location.pathname.includes('/options/');
render(isOptions ? <Options /> : <App />, document.getElementById('app')!);
