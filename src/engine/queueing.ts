/**
 * Closed forms from queueing theory that engine-level models are checked against (DESIGN.md: "engine-level
 * models match closed forms"). Pure math.
 */

export interface ErlangC {
  readonly servers: number;
  /** a = lambda / mu, in erlangs. */
  readonly offeredLoad: number;
  /** rho = a / c. */
  readonly utilization: number;
  /** P(an arrival waits) = Erlang's C formula. */
  readonly probabilityOfWaiting: number;
  /** Mean time in queue, Wq = C / (c mu - lambda), in the rates' time unit. */
  readonly meanWait: number;
  /** Mean time in system, W = Wq + 1 / mu. */
  readonly meanResponse: number;
  /** Lq = lambda Wq (Little's law). */
  readonly meanQueueLength: number;
}

/**
 * M/M/c with `servers` servers, Poisson arrivals at `arrivalRate` and exponential service at
 * `serviceRate` per server. C is computed from the Erlang B recursion B(k) = a B(k-1) / (k + a B(k-1)),
 * which stays stable for hundreds of servers where the textbook sum of a^k / k! overflows.
 */
export function erlangC(servers: number, arrivalRate: number, serviceRate: number): ErlangC {
  if (!(Number.isInteger(servers) && servers >= 1))
    throw new RangeError(`erlangC: servers must be an integer >= 1, got ${servers}`);
  if (!(arrivalRate > 0 && serviceRate > 0))
    throw new RangeError(`erlangC: rates must be > 0, got lambda ${arrivalRate}, mu ${serviceRate}`);
  const offeredLoad = arrivalRate / serviceRate;
  const utilization = offeredLoad / servers;
  if (!(utilization < 1))
    throw new RangeError(
      `erlangC: the queue is unstable (rho = ${utilization} >= 1); add servers or lower lambda`,
    );
  let blocking = 1;
  for (let k = 1; k <= servers; k++) blocking = (offeredLoad * blocking) / (k + offeredLoad * blocking);
  const probabilityOfWaiting = (servers * blocking) / (servers - offeredLoad * (1 - blocking));
  const meanWait = probabilityOfWaiting / (servers * serviceRate - arrivalRate);
  return {
    servers,
    offeredLoad,
    utilization,
    probabilityOfWaiting,
    meanWait,
    meanResponse: meanWait + 1 / serviceRate,
    meanQueueLength: arrivalRate * meanWait,
  };
}
