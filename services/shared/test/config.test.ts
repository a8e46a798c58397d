import { ConfigError, int, loadConfig, oneOf, str, url } from '../src/index.js';

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
