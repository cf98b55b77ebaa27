// The PC/SC side of PcscCardReader, run in its own process by child_process.fork.
//
// Why a child: without a running pcscd the native binding under nfc-pcsc busy-loops on the main thread
// inside its constructor. In the gateway that would freeze the broker; here it only freezes this child,
// which then stops answering pings and is killed by the parent's watchdog.
//
// Plain .mjs on purpose: it needs no TypeScript loader, so the parent can fork it with an empty execArgv.
// Protocol (validated by the parent, see pcsc-messages.ts):
//   child → parent: ready | pong{seq} | card{uid,reader} | reader{event,reader} | unavailable{reason} | error{message}
//   parent → child: ping{seq} | stop

const moduleName = process.env.LINLI_NFC_PCSC_MODULE || 'nfc-pcsc';
const parentTimeoutMs = Number(process.env.LINLI_PCSC_PARENT_TIMEOUT_MS) || 30_000;
/** PC/SC "GET DATA" for the UID (PC/SC part 3, supported by the ACR122U and CCID readers): FF CA 00 00 00. */
const GET_UID_APDU = Buffer.from([0xff, 0xca, 0x00, 0x00, 0x00]);

let nfc;
let lastHeardFromParent = Date.now();

function send(msg, then) {
  if (!process.connected) return then?.();
  try {
    process.send(msg, then ? () => then() : undefined);
  } catch {
    then?.();
  }
}

function exit(code) {
  try {
    nfc?.close();
  } catch {
    // already closed
  }
  process.exit(code);
}

const short = (err) => String(err?.message ?? err).slice(0, 400);

process.on('message', (msg) => {
  lastHeardFromParent = Date.now();
  if (msg?.type === 'ping') send({ type: 'pong', seq: msg.seq });
  else if (msg?.type === 'stop') exit(0);
});
process.on('disconnect', () => exit(0));
setInterval(
  () => {
    if (Date.now() - lastHeardFromParent > parentTimeoutMs) exit(0);
  },
  Math.min(parentTimeoutMs, 5_000),
).unref();

let mod;
try {
  mod = await import(moduleName);
} catch (err) {
  const notInstalled = err?.code === 'ERR_MODULE_NOT_FOUND' && String(err?.message).includes(`'${moduleName}'`);
  const reason = notInstalled
    ? 'nfc-pcsc is not installed (needs Debian package libpcsclite-dev at install time, then npm install)'
    : `nfc-pcsc could not be loaded: ${short(err)} (install the Debian packages pcscd and libpcsclite1)`;
  send({ type: 'unavailable', reason }, () => exit(3));
}

if (mod) {
  const NFC = mod.NFC ?? mod.default?.NFC ?? mod.default;
  if (typeof NFC !== 'function') {
    send(
      { type: 'unavailable', reason: 'nfc-pcsc loaded but exports no NFC class (unsupported version; 0.8.x expected)' },
      () => exit(3),
    );
  } else {
    // Without pcscd this constructor may never return: the parent's watchdog handles that.
    nfc = new NFC();
    nfc.on('error', (err) => send({ type: 'error', message: `PC/SC: ${short(err)}` }));
    nfc.on('reader', (reader) => {
      const name = String(reader.name ?? reader.reader?.name ?? 'reader');
      // We read the UID ourselves: nfc-pcsc's automatic processing refuses ISO 14443-4 cards
      // (DESFire, NTAG 424) unless an application id is set, and we only need the UID here.
      reader.autoProcessing = false;
      send({ type: 'reader', event: 'attached', reader: name });
      reader.on('card', async () => {
        try {
          const res = await reader.transmit(GET_UID_APDU, 12);
          if (res.length < 2 || res.readUInt16BE(res.length - 2) !== 0x9000) {
            send({
              type: 'error',
              message: `${name}: could not read the card UID (status ${res.subarray(-2).toString('hex')})`,
            });
            return;
          }
          send({ type: 'card', uid: res.subarray(0, -2).toString('hex'), reader: name });
        } catch (err) {
          send({ type: 'error', message: `${name}: ${short(err)}` });
        }
      });
      reader.on('error', (err) => send({ type: 'error', message: `${name}: ${short(err)}` }));
      reader.on('end', () => send({ type: 'reader', event: 'detached', reader: name }));
    });
    send({ type: 'ready' });
  }
}
