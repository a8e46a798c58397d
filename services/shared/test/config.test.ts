import {
  ConfigError,
  TrustedProxies,
  int,
  loadConfig,
  oneOf,
  str,
  trustProxySetting,
  url,
} from '../src/index.js';

const schema = {
  port: int('PORT', 'port', { default: 4000, min: 0, max: 65535 }),
  mongoUrl: url('MONGO_URL', 'database', { protocols: ['mongodb:'] }),
  mode: oneOf('MODE', 'mode', ['a', 'b'], 'a'),
  name: str('NAME', 'name', { default: 'laas' }),
};

test('defaults fill what the environment leaves out', () => {
  expect(loadConfig(schema, { MONGO_URL: 'mongodb://db:27017' })).toEqual({
    port: 4000,
    mongoUrl: 'mongodb://db:27017',
    mode: 'a',
    name: 'laas',
  });
});

test.each([
  ['a port that is not a number', { PORT: 'abc' }, 'PORT must be an integer, got "abc"'],
  ['a port out of range', { PORT: '70000' }, 'PORT must be <= 65535, got 70000'],
  ['a missing required URL', { MONGO_URL: '' }, 'MONGO_URL is required'],
  ['a URL that does not parse', { MONGO_URL: 'not a url' }, 'MONGO_URL must be a URL'],
  ['a URL of the wrong scheme', { MONGO_URL: 'http://db' }, 'MONGO_URL must use mongodb:'],
  [
    'a value outside an enumeration',
    { MONGO_URL: 'mongodb://db', MODE: 'c' },
    'MODE must be one of a|b, got "c"',
  ],
])('%s fails at boot with a message naming the variable', (_label, env, message) => {
  expect(() => loadConfig(schema, env)).toThrow(message);
});

test('every bad variable is reported at once', () => {
  try {
    loadConfig(schema, { PORT: '-5', MODE: 'z' });
    throw new Error('expected a ConfigError');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toHaveLength(3);
  }
});

describe('TRUST_PROXY', () => {
  const schema = { ...trustProxySetting };
  test.each([
    ['unset: loopback only', undefined, '127.0.0.0/8,::1/128'],
    ['the lab pod range', '198.18.0.0/15', '198.18.0.0/15'],
    [
      'a list with spaces, an IPv6 range and a bare address',
      ' 10.0.0.0/8 , fd00::/8,192.0.2.7',
      '10.0.0.0/8,fd00::/8,192.0.2.7',
    ],
    ['none: nobody', 'none', ''],
  ])('%s', (_label, raw, expected) => {
    expect(loadConfig(schema, { TRUST_PROXY: raw }).trustProxy.toString()).toBe(expected);
  });

  test.each([
    ['a prefix too long', '10.0.0.0/33', '"10.0.0.0/33": the prefix length must be 0..32'],
    ['a host name', 'ingress.local', '"ingress.local" is not a CIDR'],
    ['a word for a prefix', '10.0.0.0/eight', '"10.0.0.0/eight": the prefix length must be 0..32'],
    ['an IPv6 prefix too long', 'fd00::/129', '"fd00::/129": the prefix length must be 0..128'],
  ])('%s stops the boot with the entry named', (_label, raw, message) => {
    expect(() => loadConfig(schema, { TRUST_PROXY: `127.0.0.0/8,${raw}` })).toThrow(message);
  });

  test.each([
    ['198.18.3.4', true],
    ['::ffff:198.19.255.2', true],
    ['198.20.0.1', false],
    ['10.0.0.1', false],
  ])('with 198.18.0.0/15, %s is trusted: %s', (address, trusted) => {
    expect(TrustedProxies.parse('198.18.0.0/15').trusts(address)).toBe(trusted);
  });
});
