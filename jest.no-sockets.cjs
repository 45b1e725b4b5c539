// Test environment of the unit project: a unit test replaces its collaborators, so any socket it opens
// (a connect, a server's listen) is a mistake and throws. The patches cover the whole worker process, so
// they are undone when the file ends: the same worker may run an integration file next.
const net = require('node:net');
const { TestEnvironment } = require('jest-environment-node');

const patched = [
  [net.Socket.prototype, 'connect'],
  [net.Server.prototype, 'listen'],
];

class NoSocketsEnvironment extends TestEnvironment {
  async setup() {
    await super.setup();
    this.saved = patched.map(([target, name]) => target[name]);
    for (const [target, name] of patched) {
      target[name] = function refused() {
        throw new Error(`unit tests open no sockets (net.${target.constructor.name}.${name}); use a fake collaborator`);
      };
    }
  }

  async teardown() {
    patched.forEach(([target, name], i) => (target[name] = this.saved[i]));
    await super.teardown();
  }
}

module.exports = NoSocketsEnvironment;
