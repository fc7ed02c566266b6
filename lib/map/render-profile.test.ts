import { describe, expect, it } from 'vitest';
import { easeMs, GPU_PROFILE, SOFTWARE_PROFILE, profileForRenderer } from './render-profile';

describe('render profile', () => {
  it('draws less where the GPU is a CPU rasteriser', () => {
    for (const r of [
      'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
      'llvmpipe (LLVM 15.0.6, 256 bits)',
      'ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0)',
    ])
      expect(profileForRenderer(r)).toBe(SOFTWARE_PROFILE);
  });

  it('keeps the full rate on real GPUs and when the browser will not say', () => {
    for (const r of [
      'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)',
      'ANGLE (Intel, Mesa Intel(R) UHD Graphics 630 (CFL GT2), OpenGL 4.6)',
      'Apple M2',
      null,
    ])
      expect(profileForRenderer(r)).toBe(GPU_PROFILE);
    expect(SOFTWARE_PROFILE.maxDrawsPerS).toBeLessThan(GPU_PROFILE.maxDrawsPerS);
  });

  it('jumps instead of easing where each eased frame is a software redraw', () => {
    expect(easeMs(GPU_PROFILE, 800)).toBe(800);
    expect(easeMs(SOFTWARE_PROFILE, 800)).toBe(0);
  });
});
