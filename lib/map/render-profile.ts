/**
 * How often the live map redraws, chosen by what draws it. A GPU draws a wall frame in a few ms; software GL
 * (SwiftShader, llvmpipe, a VM or remote desktop without a GPU, which is common on the PCs behind splice
 * walls) spends 100+ ms of CPU on every frame, so at the GPU's rate the map alone would take every core and
 * freeze the panels and the socket beside it. There it redraws twice a second and the pulse steps with it.
 */
export interface RenderProfile {
  kind: 'gpu' | 'software';
  /** Redraws per second at most (positions arrive 10× a second; a wall read from 5 m needs far fewer). */
  maxDrawsPerS: number;
  /** Urgent incidents pulse with this period; drawn at most maxDrawsPerS. */
  pulsePeriodMs: number;
  /**
   * Whether camera moves ease and labels fade. Each eased frame is a full map redraw: on software GL an
   * 800 ms fit is seconds of CPU, during which nothing else on the screen (or in the browser) updates.
   */
  isAnimated: boolean;
}

export const GPU_PROFILE: RenderProfile = {
  kind: 'gpu',
  maxDrawsPerS: 5,
  pulsePeriodMs: 1_600,
  isAnimated: true,
};
// A pulse period of four draw intervals: the ring grows in four even steps instead of jumping at random.
export const SOFTWARE_PROFILE: RenderProfile = {
  kind: 'software',
  maxDrawsPerS: 2,
  pulsePeriodMs: 2_000,
  isAnimated: false,
};

/** Renderer strings of CPU rasterisers, as WebGL reports them (unmasked where the browser allows). */
const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|softpipe|software|basic render driver|mesa offscreen/i;

/** A camera move's duration under a profile: instant where every frame costs a full software redraw. */
export function easeMs(profile: RenderProfile, ms: number): number {
  return profile.isAnimated ? ms : 0;
}

export function profileForRenderer(renderer: string | null): RenderProfile {
  return renderer && SOFTWARE_RENDERERS.test(renderer) ? SOFTWARE_PROFILE : GPU_PROFILE;
}
