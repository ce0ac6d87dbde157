// tfjs-core ships its gradient definitions separately from the ops; the union package registers
// them, the bare core does not. Every engine entry goes through backend selection, which imports this.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
