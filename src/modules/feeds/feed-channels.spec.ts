import { feedChannels } from './feed-channels';

describe('feedChannels.refOf', () => {
  const id = '6f93f8be-6ba5-4ca0-9680-5d697b915981';

  it('reads the feed and topic back from every feed channel', () => {
    expect(feedChannels.refOf(feedChannels.feed(id))).toEqual({ feedId: id, topic: null });
    expect(feedChannels.refOf(feedChannels.topic(id, 'XBT/USD'))).toEqual({ feedId: id, topic: 'XBT/USD' });
    expect(feedChannels.refOf(feedChannels.topicData(id, 'a#b c'))).toEqual({ feedId: id, topic: 'a#b c' });
  });

  it('answers null for other names', () => {
    expect(feedChannels.refOf('private-room')).toBeNull();
    expect(feedChannels.refOf(`feed#${id}#other#x`)).toBeNull();
    expect(feedChannels.refOf(`feed#${id}#topic#%E0%A4%A`)).toBeNull();
  });
});
