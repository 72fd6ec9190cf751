#!/usr/bin/env node
// Entry for the `wl` bin. Runs on the Node 24 that npm installs (node package);
// Node 24 strips TypeScript types natively, so the sources run as they are.
import './main.ts';
