import * as z from 'zod';
import { EpochMsSchema, IdSchema } from './common.ts';

/**
 * [CLP-4.13] `member.erased`: a member was erased on this box at their request (PIPL art. 47); the cloud
 * erases the member too (documents, its own copies of their events). The member's id is the one thing the
 * cloud needs to find them: nothing else about them is sent. Their earlier money events stay for accounts.
 */
export const MemberErasedSchema = z.object({ memberId: IdSchema, at: EpochMsSchema }).strict();
