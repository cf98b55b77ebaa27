#!/usr/bin/env node
// The TypeScript sources run as they are, through tsx's loader: no build step to forget on the box.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../gateway/cli/main.ts');
await main(process.argv);
