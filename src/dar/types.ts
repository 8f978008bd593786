export type Grade = 'A' | 'B' | 'C';
export type ProviderName = 'dawa' | 'adressevask' | 'file';

export interface WashResult {
  /** the input text, exactly as given */
  text: string;
  /** DAR address id (uuid, lower case) or null when unmatched */
  id: string | null;
  grade?: Grade;
  /** why unmatched: 'no match', 'ambiguous (3 candidates)', 'retired address', 'DAR unavailable: HTTP 503', 'kode -1: <tekst>', ... */
  reason?: string;
  /** true when the answer came from the persistent cache */
  cached: boolean;
  provider: string;
}
