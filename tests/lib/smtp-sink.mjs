// A minimal SMTP server for the suites in Node (tests/browser, tests/xss): it keeps every
// message it is given, as the latin1 text of its bytes.
import net from 'node:net';

/** A minimal SMTP server that keeps every message it is given (no TLS,
 *  no authentication): enough for the town's outbox to hand it mail. */
export function smtpSink() {
  const messages = [];
  const server = net.createServer((socket) => {
    let buffer = '';
    let data = null;
    socket.write('220 sink ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        if (data !== null) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          messages.push(data + buffer.slice(0, end));
          buffer = buffer.slice(end + 5);
          data = null;
          socket.write('250 kept\r\n');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'DATA') { data = ''; socket.write('354 go on\r\n'); }
        else if (verb === 'QUIT') { socket.end('221 bye\r\n'); return; }
        else if (verb === 'EHLO') { socket.write('250-sink\r\n250 8BITMIME\r\n'); }
        else { socket.write('250 ok\r\n'); }
      }
    });
    socket.on('error', () => {});
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: server.address().port, messages, close: () => server.close() })));
}
