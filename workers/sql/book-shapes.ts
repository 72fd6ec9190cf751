// Book quotes as SQL reads them (trade_recheck's p_books, record_spread_sample's bidask):
// a sweep at the trade size, or the venue's error for that book.
import { z } from 'zod';

export const BookQuoteJson = z.strictObject({
  venue: z.string(),
  price: z.number().finite().nullable(),
  bid_top: z.number().finite().nullable(),
  ask_top: z.number().finite().nullable(),
  age_ms: z.number().finite(),
  sufficient: z.boolean(),
  levels: z.number().int(),
});

export const BookErrorJson = z.strictObject({ venue: z.string(), error: z.string(), error_class: z.string() });

export const BookOrErrorJson = z.union([BookQuoteJson, BookErrorJson]);
