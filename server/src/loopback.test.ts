import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isLoopbackAddress, isLoopbackHost } from "./loopback.ts";

describe("loopback", () => {
  it("a socket address is loopback in 127.0.0.0/8, as ::1, or as 127.x mapped into IPv6", () => {
    for (const address of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1", "::FFFF:127.0.0.9"])
      assert.equal(isLoopbackAddress(address), true, address);
    for (const address of [
      "192.0.2.2",
      "128.0.0.1",
      "::ffff:192.0.2.2",
      "fd00::1",
      "localhost",
      "127.evil",
      "",
    ])
      assert.equal(isLoopbackAddress(address), false, address);
    assert.equal(isLoopbackAddress(undefined), false);
  });

  it("a host name is loopback as localhost, a subdomain of it, or a loopback address", () => {
    for (const host of ["localhost", "LocalHost", "app.localhost", "127.0.0.1", "[::1]", "::1"])
      assert.equal(isLoopbackHost(host), true, host);
    for (const host of ["example.org", "localhost.example.org", "mylocalhost", "0.0.0.0", "[fd00::1]"])
      assert.equal(isLoopbackHost(host), false, host);
  });
});
