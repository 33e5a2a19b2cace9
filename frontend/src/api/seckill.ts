import { api } from './client';
import type { SeckillActivity } from './types';

// The flash-sale API is not built yet. Until it is, this call fails and the home page
// shows a static "coming soon" section instead.
export const seckillApi = {
  activities: () =>
    api
      .get<{ list: SeckillActivity[] } | SeckillActivity[]>('/seckill/activities', {
        silent: true,
        skipAuthRefresh: true,
      })
      .then((d) => (Array.isArray(d) ? d : d.list ?? [])),
};
