/**
 * The vehicle marker: an arrow pointing north, drawn as an inline SVG (no remote file: centres run on closed
 * networks). `mask: true` lets deck.gl tint it with each vehicle's status colour; getAngle turns it.
 */
const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
<path d="M32 4 L54 56 L32 44 L10 56 Z" fill="#fff"/>
</svg>`;

export const VEHICLE_ICON_ATLAS = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(SVG)}`;

export const VEHICLE_ICON_MAPPING = {
  arrow: { x: 0, y: 0, width: 64, height: 64, anchorX: 32, anchorY: 32, mask: true },
};
