// Grafast reads GRAPHILE_ENV when it is first imported: import this module before
// postgraphile. Development mode (extra planning assertions, readable errors) is
// for development and tests; anything else, `wl up` included, runs lean.
process.env.GRAPHILE_ENV ||= ['development', 'test'].includes(process.env.NODE_ENV ?? '') ? 'development' : 'production';
