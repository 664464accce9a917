import { parseRequestTarget } from './pusher-auth.guard';

/** What the signature check read before the direct split: the WHATWG URL parser. */
function viaUrl(target: string) {
  const url = new URL(target, 'http://relaybase.invalid');
  return { pathname: url.pathname, params: [...url.searchParams] };
}

describe('parseRequestTarget', () => {
  it.each([
    '/apps/3/events?auth_key=k&auth_timestamp=1&auth_version=1.0&body_md5=abc&auth_signature=def',
    '/apps/3/events',
    '/apps/3/events?',
    '/apps/3/channels?info=user_count,subscription_count&filter_by_prefix=presence-',
    '/apps/3/events?a=1&a=2&b',
    '/apps/3/events?name=a+b&x=%20%2B%26&y=%zz&z=%C3%A9&w=é&v=\u00e9\u0301',
    '/apps/3/events?q=?x=1&&=&k=a=b',
    '/apps/3/events?sp=a b&tab=\t&hash=1#frag',
    '/apps/./3/../3/events?x=1',
    '/apps/%33/events?x=1',
    '//apps/3/events?x=1',
    '/apps\\3\\events?x=1',
    '/APPS/3/EVENTS/?x=1',
    '/apps/3/channels/presence-room/users?x=1',
  ])('reads %j as the URL parser does', (target) => {
    const direct = parseRequestTarget(target);
    expect({ pathname: direct.pathname, params: [...direct.searchParams] }).toEqual(viaUrl(target));
  });
});
