/** The whole territory: everything is drawn by the wall layout (app/wall/layout.tsx). */
export default function WallPage() {
  return null;
}
