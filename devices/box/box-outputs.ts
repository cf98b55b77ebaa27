/** The door strike relay. Resolves when the relay has dropped again. */
export interface DoorRelay {
  pulse(ms: number): Promise<void>;
}

export type LedPattern = 'online' | 'cloud_offline' | 'fault' | 'off';

/** The box's status LED: online = steady, cloud_offline = 1 Hz blink, fault = 4 Hz blink. */
export interface StatusLed {
  show(pattern: LedPattern): void;
}

/** The enclosure's tamper switch; `open` = the enclosure is open. */
export interface TamperSwitch {
  onChange(fn: (open: boolean) => void): void;
  isOpen(): boolean;
}
