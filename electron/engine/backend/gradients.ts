// tfjs-core ships its gradient definitions as ESM files with extensionless imports, which Node's
// ESM loader cannot resolve; the union package's Node bundle registers the same definitions on
// the one tfjs-core instance. Every engine entry goes through backend selection, which imports this.
import '@tensorflow/tfjs';
