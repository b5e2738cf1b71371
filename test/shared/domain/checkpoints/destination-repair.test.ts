import { describe, expect, it } from 'vitest';
import { destinationRepair } from '../../../../shared/domain/checkpoints/destination-repair.js';

const recorded = { uidValidity: '100', messages: 40 };
const now = (uidValidity: string, messages: number) => ({ status: { uidValidity, messages, uidNext: messages + 1 } });

describe('destinationRepair', () => {
  it('a destination folder as the last pass left it, or with messages a user added, needs no repair', () => {
    expect(destinationRepair(recorded, now('100', 40))).toBeUndefined();
    expect(destinationRepair(recorded, now('100', 41))).toBeUndefined();
  });

  it('nothing recorded (a first pass, an older ledger) or nothing seen (the server would not say): no repair', () => {
    expect(destinationRepair(undefined, now('100', 0))).toBeUndefined();
    expect(destinationRepair(recorded, undefined)).toBeUndefined();
  });

  it('a folder the pass had to create again was gone', () => {
    expect(destinationRepair(recorded, { ...now('101', 0), created: true })?.reason).toBe('DESTINATION_FOLDER_GONE');
  });

  it('another UIDVALIDITY is a recreated folder, even holding as many messages as before', () => {
    expect(destinationRepair(recorded, now('101', 40))?.reason).toBe('DESTINATION_FOLDER_RECREATED');
  });

  it('fewer messages than we put there: some were deleted, and the detail gives both counts', () => {
    const r = destinationRepair(recorded, now('100', 39));
    expect(r?.reason).toBe('DESTINATION_MESSAGES_MISSING');
    expect(r?.detail).toContain('39');
    expect(r?.detail).toContain('40');
  });
});
