/** A square area's GeoJSON text, as the regions and grids tables store it: `size`° a side from (x, y). */
export function squareGeometry(x: number, y = 30, size = 0.1): string {
  return JSON.stringify({
    type: 'Polygon',
    coordinates: [
      [
        [x, y],
        [x + size, y],
        [x + size, y + size],
        [x, y + size],
        [x, y],
      ],
    ],
  });
}
