/// <reference types="vite/client" />

/** The Twofold server the extension was built for (PUBLIC_URL at build time): the dialer's default server. */
declare const __TWOFOLD_SERVER__: string;
