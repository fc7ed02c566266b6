import { profileForRenderer, type RenderProfile } from '@/lib/map/render-profile';

let cached: RenderProfile | null = null;

/** This browser's render profile, from the WebGL renderer's name (read once, from a throwaway context). */
export function browserRenderProfile(): RenderProfile {
  return (cached ??= profileForRenderer(webglRenderer()));
}

function webglRenderer(): string | null {
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return null;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return name;
  } catch {
    return null;
  }
}
