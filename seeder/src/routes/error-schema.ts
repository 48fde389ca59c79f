import { z } from 'zod';

/** Every 4xx and 5xx body: what went wrong, and for bad input the field it is about (app.ts). */
export const ErrorSchema = z.object({ message: z.string(), field: z.string().optional() });
