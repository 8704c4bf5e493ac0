/**
 * What the kernel and its tools take, as data: the emitters split or refuse against these, and the tests
 * load the largest case each allows. Each value names the constant it comes from.
 */
export const KERNEL_LIMITS = {
  /** `-m comment --comment`: XT_MAX_COMMENT_LEN is 256 bytes with the closing NUL (linux/netfilter/xt_comment.h). */
  iptablesCommentBytes: 255,
  /** nft `comment "..."`: NFTNL_UDATA_COMMENT_MAXLEN, 128 bytes; nft refuses longer ones ("comment too long"). */
  nftCommentBytes: 128,
  /** `-m multiport --dports`: XT_MULTI_PORTS is 15 slots, a range taking two (linux/netfilter/xt_multiport.h). */
  multiportSlots: 15,
  /** ipset names: IPSET_MAXNAMELEN is 32 bytes with the NUL (linux/netfilter/ipset/ip_set.h). */
  ipsetNameBytes: 31,
  /**
   * Hooks on one hook point (forward, input, output) of one network namespace: MAX_HOOK_COUNT in
   * net/netfilter/core.c; the 1025th base chain on a hook fails with E2BIG ("Argument list too long").
   * Each artifact adds one per hook it uses; loading many nft tables side by side must stay below it.
   */
  hooksPerHookPoint: 1024,
  /**
   * Elements of one set these artifacts write: ipset's default `maxelem` (65536), which the script
   * declares; nft sets have no fixed bound, but the same limit keeps both artifacts alike and loadable in
   * seconds. A tag form or prefix list larger than this is left out, and the coverage says so.
   */
  setElements: 65536,
  /** Seconds a DNS-filled set can keep an element: ipset's timeout is at most 2147483 s (about 24.8 days). */
  maxSetTimeoutSeconds: 2147483,
} as const;

/**
 * The widest subnet or peer network the Linux emitters accept, by family: a delegated cluster subnet, a
 * datacenter or a client network is never wider, and `0.0.0.0/0` or `::/0` would open the cluster's ports
 * to every address.
 */
export const WIDEST_NETWORK: Readonly<Record<4 | 6, number>> = { 4: 8, 6: 32 };

/** Default lifetime of an address dnsmasq put in an FQDN set: one day after it was (last) added. */
export const DEFAULT_FQDN_TIMEOUT_SECONDS = 86400;
