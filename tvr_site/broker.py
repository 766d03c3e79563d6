"""The Redis broker transport, with one repair: a worker survives its broker's restart.

When the broker goes away, Celery 5.7 collects the worker's connection (its transport
forgets the client) and then closes it. Whatever then touches the old channel through
that connection raises AttributeError, which is not a connection error, so the worker
stops for good ("Unrecoverable error") instead of reconnecting:
- closing the channel gives the unacknowledged tasks back to Redis;
- a task that was running finishes and acknowledges its message.
tests/chaos (Redis restarted while a worker holds unacknowledged tasks) shows both.

With the connection gone there is nothing to give back or acknowledge to: a new Redis
knows none of these tasks, and one that survived hands its unacknowledged tasks out
again after the visibility timeout (harmless: a delivery claims its message first). The
sweep re-dispatches every delivery from the database long before that. A worker that
still has its connection (a warm shutdown, a normal task) goes through kombu unchanged.
"""

from kombu.transport import redis


class QoS(redis.QoS):
    def _connection_lost(self) -> bool:
        transport = self.channel.connection
        return transport is None or transport.client is None

    def restore_unacked(self, client=None):
        if self._connection_lost():
            self._delivered.clear()
            return None
        return super().restore_unacked(client)

    def ack(self, delivery_tag):
        if self._connection_lost():
            self._delivered.pop(delivery_tag, None)
            return
        super().ack(delivery_tag)

    def reject(self, delivery_tag, requeue=False):
        if self._connection_lost():
            self._delivered.pop(delivery_tag, None)
            return
        super().reject(delivery_tag, requeue=requeue)


class Channel(redis.Channel):
    QoS = QoS


class Transport(redis.Transport):
    Channel = Channel
