/** stormglass's version, as in package.json (a test keeps them equal). Results carry it. */
export const STORMGLASS_VERSION = '0.1.0';
