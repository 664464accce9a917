import { parseRequestQuery } from './pusher-auth.guard';
import { PusherHttpError } from './pusher-http.error';

/**
 * The signature check reads the query through parseRequestQuery, which splits plain targets itself
 * (src/modules/pusher/pusher-request-target.spec.ts covers parseRequestTarget, its fallback). Each
 * target must give the parameters the WHATWG URL parser gives.
 */
function viaUrl(target: string) {
  const url = new URL(target, 'http://relaybase.invalid');
  return { pathname: url.pathname, query: Object.fromEntries(url.searchParams) };
}

describe('parseRequestQuery', () => {
  it.each([
    '/apps/3/events?auth_key=k&auth_timestamp=1&auth_version=1.0&body_md5=abc&auth_signature=def',
    '/apps/3/events',
    '/apps/3/events?',
    '/apps/3/channels?info=user_count,subscription_count&filter_by_prefix=presence-',
    '/apps/3/events?b&c=',
    '/apps/3/events?name=a+b&x=%20%2B%26&y=%zz&z=%C3%A9&w=é',
    '/apps/3/events?q=?x=1&&=&k=a=b',
    "/apps/3/events?quote='&lt=<&gt=>&bt=`&brace={}&pipe=|",
    '/apps/3/events?sp=a b&hash=1#frag',
    '/apps/./3/../3/events?x=1',
    '/apps/%33/events?x=1',
    '//apps/3/events?x=1',
    '/APPS/3/EVENTS/?x=1',
  ])('reads %j as the URL parser does', (target) => {
    const { pathname, query } = parseRequestQuery(target);
    expect({ pathname, query: { ...query } }).toEqual(viaUrl(target));
  });

  it('refuses a parameter given twice, also when only decoding makes the names equal', () => {
    expect(() => parseRequestQuery('/apps/3/events?a=1&a=2')).toThrow(new PusherHttpError(400, 'Query parameter a given twice'));
    expect(() => parseRequestQuery('/apps/3/events?a=1&%61=2')).toThrow(new PusherHttpError(400, 'Query parameter a given twice'));
  });

  it('takes parameters named like Object methods as ordinary ones', () => {
    expect({ ...parseRequestQuery('/apps/3/events?constructor=1&toString=2').query }).toEqual({ constructor: '1', toString: '2' });
  });
});
