import { networkInterfaces, type NetworkInterfaceInfo } from "node:os";

/**
 * The origins a browser has when it opens a server listening on `host`:`port` (the demo page): `host` itself (the
 * address `serve` prints); for a loopback or wildcard address also the loopback names (`localhost`, `127.0.0.1`,
 * `[::1]`); for a wildcard one (`0.0.0.0`, `::`) also every address of this machine's interfaces. Other names (a
 * proxy's, a DNS name) are never guessed from requests: set `web.publicUrl`.
 */
export function listenOrigins(host: string, port: number, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string[] {
  const hosts = new Set<string>();
  const wildcard = host === "" || host === "0.0.0.0" || host === "::";
  if (wildcard || isLoopback(host)) for (const name of ["localhost", "127.0.0.1", "::1"]) hosts.add(name);
  if (host !== "") hosts.add(host);
  if (wildcard) {
    for (const address of Object.values(interfaces).flat()) {
      // Link-local IPv6 addresses need a zone (`%eth0`), which no origin carries.
      if (address && !(address.family === "IPv6" && address.scopeid)) hosts.add(address.address);
    }
  }
  return [...hosts].map((h) => new URL(`http://${h.includes(":") ? `[${h}]` : h}:${port}`).origin);
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
