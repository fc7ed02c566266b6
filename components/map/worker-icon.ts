/**
 * The grid worker's marker: a person (head and shoulders), so a worker never reads as a camera dot or a
 * unit's arrow. Inline SVG (centres run on closed networks); `mask: true` tints it with the duty colour.
 */
const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
<circle cx="32" cy="19" r="13" fill="#fff"/>
<path d="M8 60 C8 40 18 34 32 34 C46 34 56 40 56 60 Z" fill="#fff"/>
</svg>`;

export const WORKER_ICON_ATLAS = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(SVG)}`;

export const WORKER_ICON_MAPPING = {
  person: { x: 0, y: 0, width: 64, height: 64, anchorX: 32, anchorY: 32, mask: true },
};
