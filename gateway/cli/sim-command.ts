/** `linli sim`: simulated devices against any gateway; the command and its options live with the simulator. */
export { simCommand } from '../../sim/src/cli.ts';
