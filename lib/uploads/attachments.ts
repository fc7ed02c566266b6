/**
 * A photo attached to an incident (a grid worker's, a department's), as GET /api/incidents/:id/attachments
 * and the department's case detail list it. The bytes are served by GET /api/uploads/:hash (`?thumb=1`: the
 * 320 px thumbnail), only to a principal who may see an incident the photo is attached to.
 */
export interface IncidentAttachment {
  hash: string;
  width: number;
  height: number;
  /** Username of whoever attached it. */
  addedBy: string;
  addedAt: number;
  url: string;
  thumbUrl: string;
}

export interface AttachmentList {
  attachments: IncidentAttachment[];
  /** The incident came with a camera alarm's picture (GET /api/incidents/:id/snapshot). */
  hasSnapshot: boolean;
}

export function photoUrls(hash: string): { url: string; thumbUrl: string } {
  return { url: `/api/uploads/${hash}`, thumbUrl: `/api/uploads/${hash}?thumb=1` };
}
