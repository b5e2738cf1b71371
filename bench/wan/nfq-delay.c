/*
 * nfq-delay: holds every packet of one NFQUEUE for a fixed time, then accepts it, in arrival
 * order. With a rule on the loopback's PREROUTING in a network namespace of the bench's own,
 * each packet is held once per direction, so the round trip grows by 2 x the delay.
 *
 * Holding in PREROUTING (after the sender's qdisc) rather than OUTPUT matters: a packet held
 * before it leaves the sender counts against TCP Small Queues, which throttles bulk streams.
 *
 *   nfq-delay <queue-num> <one-way-delay-ms>
 *
 * Only packet ids are copied to user space (NFQNL_COPY_META); verdicts go out in batches
 * (nfq_set_verdict_batch accepts every id up to the one given, and ids are issued in order).
 *
 * The queue takes a segmentation-offloaded packet whole (NFQA_CFG_F_GSO), as a host's network
 * card and its peer's receive offload do on a real path: the kernel does not cut it into 1448-byte
 * packets first, each queued, held and accepted on its own, with an ACK queued for every other
 * one. Each packet is still held the same time, in order; the delay only costs the cores less
 * (a copy over three connections at 60 ms: about a third of the busy time it took without).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RING (1u << 20)

static uint32_t ids[RING];
static uint64_t due[RING];
static size_t head, tail; /* head: oldest held packet; tail: next free slot */
static uint64_t delay_ns;
static volatile sig_atomic_t stop;

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa, void *data) {
  (void)msg;
  (void)data;
  struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
  if (!ph) return 0;
  uint32_t id = ntohl(ph->packet_id);
  if (tail - head >= RING) { /* full: let it through now rather than drop it (never expected) */
    nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
    return 0;
  }
  ids[tail % RING] = id;
  due[tail % RING] = now_ns() + delay_ns;
  tail++;
  return 0;
}

/* Accepts every held packet whose time has come; returns ms until the next one is due (-1: none held). */
static int release(struct nfq_q_handle *qh) {
  uint64_t now = now_ns();
  size_t last = head;
  while (head != tail && due[head % RING] <= now) head++;
  if (head != last) nfq_set_verdict_batch(qh, ids[(head - 1) % RING], NF_ACCEPT);
  if (head == tail) return -1;
  uint64_t wait = due[head % RING] - now;
  return (int)((wait + 999999u) / 1000000u);
}

static void on_signal(int s) {
  (void)s;
  stop = 1;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: nfq-delay <queue-num> <one-way-delay-ms>\n");
    return 2;
  }
  uint16_t queue = (uint16_t)atoi(argv[1]);
  delay_ns = (uint64_t)(atof(argv[2]) * 1e6);
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);

  struct nfq_handle *h = nfq_open();
  if (!h) { perror("nfq_open"); return 1; }
  struct nfq_q_handle *qh = nfq_create_queue(h, queue, on_packet, NULL);
  if (!qh) { perror("nfq_create_queue"); return 1; }
  if (nfq_set_mode(qh, NFQNL_COPY_META, 0) < 0) { perror("nfq_set_mode"); return 1; }
  nfq_set_queue_maxlen(qh, 200000);
  if (nfq_set_queue_flags(qh, NFQA_CFG_F_GSO, NFQA_CFG_F_GSO) < 0) { perror("nfq_set_queue_flags"); return 1; }
  int fd = nfq_fd(h);
  int rcvbuf = 64 * 1024 * 1024;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
  /* A full socket buffer is reported (ENOBUFS) rather than silently losing packets. */
  int on = 1;
  setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &on, sizeof on);
  fprintf(stderr, "nfq-delay: queue %u, %s ms each way\n", queue, argv[2]);

  static char buf[65536] __attribute__((aligned));
  while (!stop) {
    int timeout = release(qh);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r = poll(&p, 1, timeout);
    if (r < 0) {
      if (errno == EINTR) continue;
      perror("poll");
      break;
    }
    if (r == 0) continue;
    /* Drain what is queued before releasing again: ids arrive in order. */
    for (;;) {
      ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0) break;
      nfq_handle_packet(h, buf, (int)n);
    }
  }
  /* Let everything held go, so no connection is left stalled. */
  if (head != tail) nfq_set_verdict_batch(qh, ids[(tail - 1) % RING], NF_ACCEPT);
  nfq_destroy_queue(qh);
  nfq_close(h);
  return 0;
}
