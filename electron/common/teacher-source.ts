import path from 'node:path';
import type { TeacherSource } from '../../shared/spec/experiments.js';

/** Folder a teacher source points at: `<dataDir>/runs/<id>`, or the checkpoint path (relative to the data folder). */
export function teacherFolder(source: TeacherSource, dataDir: string): string {
  if ('run' in source) return path.join(dataDir, 'runs', source.run);
  return path.resolve(dataDir, source.checkpoint);
}

/** How messages name a teacher source. */
export function describeTeacher(source: TeacherSource, dataDir: string): string {
  return 'run' in source
    ? `teacher run "${source.run}"`
    : `teacher checkpoint ${teacherFolder(source, dataDir)}`;
}
