import { CidrError, cidrContains } from '../src/cidr.js';

describe('cidrContains tells whether an address lies in a block', () => {
  test.each([
    ['198.18.0.0/15', '198.19.255.255', true],
    ['198.18.0.0/15', '198.20.0.0', false],
    ['198.18.0.1/32', '198.18.0.1', true],
    ['198.18.0.1/32', '198.18.0.2', false],
    ['0.0.0.0/0', '203.0.113.9', true],
    ['198.18.128.0/17', '198.18.127.255', false],
    ['fd00:10::/64', 'fd00:10::abcd', true],
    ['fd00:10::/64', 'fd00:11::1', false],
    ['::/0', '2001:db8::1', true],
    ['0.0.0.0/0', '::1', false],
    ['::/0', '198.18.0.1', false],
  ])('%s holds %s: %p', (cidr, ip, expected) => {
    expect(cidrContains(cidr, ip)).toBe(expected);
  });

  test.each([
    ['a block without a prefix length', '198.18.0.1', '198.18.0.1', 'is not a CIDR'],
    ['a prefix longer than the address', '198.18.0.0/33', '198.18.0.1', 'the prefix length exceeds 32'],
    ['an octet above 255', '198.18.0.256/32', '198.18.0.1', 'is not an IPv4 or IPv6 address'],
    ['an address that is not one', '198.18.0.0/15', 'gateway', '"gateway" is not an IPv4 or IPv6 address'],
    ['two :: in one IPv6 address', 'fd00::1::/64', 'fd00::1', 'is not an IPv4 or IPv6 address'],
  ])('rejects %s with a clear message', (_label, cidr, ip, message) => {
    expect(() => cidrContains(cidr, ip)).toThrow(CidrError);
    expect(() => cidrContains(cidr, ip)).toThrow(message);
  });
});
