/** Makes Node the library's host (imported first by the package entry, the CLI and the emulator worker). */
import { maybePlatform, setPlatform } from '../platform/index.js';
import { nodePlatform } from './platform.js';

if (!maybePlatform()) setPlatform(nodePlatform);
