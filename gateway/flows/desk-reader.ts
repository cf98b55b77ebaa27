import { randomBytes } from 'node:crypto';
import type { BoxComponentHealth, BoxHardware } from '../../devices/box/box-hardware.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import type { WireCredential } from '../../firmware-protocol/src/messages/credential.ts';

const BIND_WINDOW_MS = 60_000;

/**
 * The gateway box's own NFC reader at the property office desk. As "bind" it remembers the last card
 * tapped, for staff to bind to a member (POST /members/:id/cards {fromDesk:true}) within a minute; as
 * "door" it decides access like any reader and pulses the box's door relay. Its tamper switch and the
 * hardware's health are reported with the gateway's health.
 */
export class DeskReader {
  private last: { uid: string; at: number } | undefined;
  private tamperOpen = false;

  constructor(
    private readonly d: {
      hardware: BoxHardware;
      /** Decides a tap at a door (the kind that opens doors); without one, the desk reader cannot be a door. */
      door: ((deviceId: string, door: string, credential: WireCredential, txn: string) => Promise<boolean>) | undefined;
      clock: Clock;
      log: Logger;
      role: 'bind' | 'door';
      /** The id the box's reader is logged under, and its door. */
      deviceId: string;
      doorId: string;
    },
  ) {
    d.hardware.reader.onCard((ev) => this.onCard(ev.uid));
    d.hardware.tamper.onChange((open) => {
      this.tamperOpen = open;
      if (open) d.log.warn('the gateway box was opened (tamper switch)');
      else d.log.info('the gateway box was closed again');
    });
  }

  onCard(uid: string): void {
    const decide = this.d.door;
    if (this.d.role !== 'door' || !decide) {
      this.last = { uid, at: this.d.clock.monotonic() };
      this.d.log.info('card tapped at the desk reader: ready to bind for a minute');
      return;
    }
    // as a door reader a tap is never offered for binding: that would bind whoever last came in
    const txn = `desk-${randomBytes(6).toString('hex')}`;
    decide(this.d.deviceId, this.d.doorId, { type: 'uid', uid }, txn)
      .then((granted) => (granted ? this.d.hardware.openDoor() : undefined))
      .catch((err: unknown) =>
        this.d.log.info({ err: err instanceof Error ? err.message : String(err) }, 'desk reader tap refused'),
      );
  }

  /** The card tapped in the last minute, once: a second bind needs a second tap. */
  takeForBinding(): string | undefined {
    const t = this.last;
    this.last = undefined;
    return t && this.d.clock.monotonic() - t.at <= BIND_WINDOW_MS ? t.uid : undefined;
  }

  health(): (BoxComponentHealth | { component: 'tamper'; state: 'ok' | 'open'; warning?: string })[] {
    return [
      ...this.d.hardware.health(),
      this.tamperOpen
        ? { component: 'tamper', state: 'open', warning: 'the gateway box is open (tamper switch)' }
        : { component: 'tamper', state: 'ok' },
    ];
  }
}
