#!/usr/bin/python3
"""PyTorch peer of configs/eqspike_mnist.toml: EqSpike, spiking EP with the two-factor rule and a learning trace.

The same work as plasticore's `algorithm = "eqspike"`, `rule = "two_factor"` run (src/learn/relaxation.cpp,
two_factor_rule.cpp, ep_learner.cpp, src/neuron/ep_neuron.hpp, docs/eqspike.md):
  network   784-500-10, W_l (post x pre) forward and, transposed, as feedback; biases; input clamped;
            Glorot-uniform x [1.0, 0.5], zero biases
  spikes    sigma-delta on every layer (input pixels included): a += s; S = [a >= 1]; a -= S, a(0) ~ U[0, 1)
  step      all layers emit from their current states, then
            s_l <- clip((1 - leak) s_l + leak (W_l S_{l-1} + W_{l+1}^T S_{l+1} + b_l + nudge), 0, 1), leak 0.3,
            nudge beta' (y - o) on the output in the nudged phases
  trace     hat_s += lambda (s - hat_s), lambda = 0.3, from the phase start; dhat_s = its change per step
  phases    free T1 = 20 steps from zero states; +beta and -beta phases (beta = 0.5) of T2 = 10 steps, both
            from the free state including the spike accumulators and traces
  rule      at every nudged step of sign sigma: dW_1 += sigma dhat_h S_x^T,
            dW_2 += sigma (dhat_o S_h^T + S_o dhat_h^T), db_l += sigma sum dhat_s_l (no self-correction);
            SGD  W += eta dW / (2 beta B), eta = [0.1, 0.05], B = 20
  predict   argmax of the output state after the free phase
How it is computed (a PyTorch user's choices; the numbers are the same sums in another order):
  * spikes are 0/1 float tensors; the input is clamped, so its sigma-delta spike train is known in advance
    and the input drive W_1 S_x of all T1 + T2 distinct steps is formed once per batch (both nudged phases
    see the same input spikes: they start from the same accumulators), by default with embedding_bag over
    the input spike events (sums of W_1 columns, ~25 % faster than the dense GEMM at ~12 % density;
    --input-events 0: one dense GEMM). torch.sparse (COO/CSR) is slower once its conversion is counted.
    plasticore sums weight columns per spike event at every step;
  * the +beta and -beta phases run side by side as one batch of 2B rows (they are independent given the
    free state), halving the per-step operator calls of the nudged phases;
  * hidden and output layers share one B x 510 state tensor for the element-wise updates;
  * the two-factor sums of a batch are stacked over the steps and phases and formed with one GEMM per term
    at the end (dW_1 = sum_t (dhat_h^+(t) - dhat_h^-(t)) S_x(t)^T), where plasticore adds event by event
    at every step.
Random streams (init, initial accumulator phases, shuffle) are torch's: statistically the same runs,
not bitwise.
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import torch  # noqa: E402


def glorot(post, pre, scale):
    limit = scale * math.sqrt(6.0 / (pre + post))
    return (torch.rand(post, pre) * 2 - 1) * limit


def input_spikes(x, steps):
    """Sigma-delta spikes of the clamped input for `steps` steps from random phases: steps x B x n_in."""
    acc = torch.rand_like(x)
    out = torch.empty((steps,) + x.shape)
    for t in range(steps):
        acc.add_(x)
        s = out[t]
        torch.ge(acc, 1.0, out=s)  # bool written into a float tensor: 0/1
        acc.sub_(s)
    return out


class EqSpike:
    def __init__(self, sizes, init_scale, leak, trace_rate):
        n_in, n_h, n_out = sizes
        self.n_h, self.n_out = n_h, n_out
        # W_1 is stored transposed (pre x post), so that the rows an input spike selects are contiguous.
        self.w1_t = glorot(n_h, n_in, init_scale[0]).t().contiguous()
        self.w2 = glorot(n_out, n_h, init_scale[1])
        self.b1 = torch.zeros(n_h)
        self.b2 = torch.zeros(n_out)
        self.leak, self.trace_rate = leak, trace_rate

    def input_drive(self, spikes, events):
        """W_1 S_x + b_1 of spike trains (steps x B x n_in) -> steps x B x n_h: one dense GEMM, or with
        events = True the sum of the W_1 columns of the inputs that spiked (embedding_bag over the events)."""
        steps, b, n_in = spikes.shape
        flat = spikes.view(-1, n_in)
        if not events:
            return torch.addmm(self.b1, flat, self.w1_t).view(steps, b, -1)
        where = flat.nonzero()
        offsets = torch.zeros(flat.shape[0], dtype=torch.long)
        torch.cumsum(torch.bincount(where[:, 0], minlength=flat.shape[0])[:-1], 0, out=offsets[1:])
        drive = torch.nn.functional.embedding_bag(where[:, 1], self.w1_t, offsets, mode="sum")
        return drive.add_(self.b1).view(steps, b, -1)

    def start(self, batch):
        """Zero states of the hidden and output layers side by side (B x 510), random accumulators, traces."""
        s = torch.zeros(batch, self.n_h + self.n_out)
        return {"s": s, "acc": torch.rand_like(s), "trace": torch.zeros_like(s)}

    def run(self, st, drive1, steps, target=None, beta=None, record=None):
        """`steps` steps. drive1[t] = W_1 S_x(t) + b_1 (steps x B x n_h); beta: the signed nudging strength
        of every row (B x 1). If record is a list, each step's (S, dhat) of hidden+output is appended to it."""
        n_h, w2, b2, leak, lam = self.n_h, self.w2, self.b2, self.leak, self.trace_rate
        s, acc, trace = st["s"], st["acc"], st["trace"]
        u = torch.empty_like(s)
        for t in range(steps):
            acc.add_(s)
            spikes = (acc >= 1.0).to(s.dtype)
            acc.sub_(spikes)
            s_h, s_o = spikes[:, :n_h], spikes[:, n_h:]
            torch.addmm(drive1[t], s_o, w2, out=u[:, :n_h])  # W_1 S_x + b_1 + W_2^T S_o
            torch.addmm(b2, s_h, w2.t(), out=u[:, n_h:])      # W_2 S_h + b_2
            if target is not None:
                u[:, n_h:].addcmul_(beta, target - s[:, n_h:])
            s = torch.lerp(s, u, leak).clamp_(0, 1)
            delta = (s - trace).mul_(lam)
            trace.add_(delta)
            if record is not None:
                record.append((spikes, delta))
        st["s"] = s
        return st


def main():
    p = common.ep_parser(__doc__.splitlines()[0], nudged_steps=10, leak=0.3)
    p.add_argument("--trace-rate", type=float, default=0.3)
    p.add_argument("--input-events", type=int, choices=[0, 1], default=1,
                   help="1: input drive by embedding_bag over the input spikes; 0: one dense GEMM")
    args = p.parse_args()
    torch.manual_seed(args.seed)
    clock = common.CpuClock()
    x_train, y_train = common.load_mnist("train", args.train_limit)
    x_test, y_test = common.load_mnist("test", args.test_limit)
    clock.lap("data")

    n_in, n_h = x_train.shape[1], args.hidden
    net = EqSpike((n_in, n_h, 10), args.init_scale, args.leak, args.trace_rate)
    n, B, beta = x_train.shape[0], args.batch_size, args.beta
    T1, T2 = args.free_steps, args.nudged_steps
    eye = torch.eye(10)
    correct = 0
    with torch.inference_mode():
        for epoch in range(args.epochs):
            factor = common.lr_factor(args.lr_schedule, args.lr_final_factor, epoch, args.epochs)
            lr1, lr2 = args.lr[0] * factor, args.lr[1] * factor
            order = torch.randperm(n)
            correct = 0
            for start in range(0, n, B):
                idx = order[start:start + B]
                x, labels = x_train[idx], y_train[idx]
                b = x.shape[0]
                sx = input_spikes(x, T1 + T2)  # (T1 + T2) x B x 784
                drive1 = net.input_drive(sx, args.input_events)
                st = net.run(net.start(b), drive1, T1)
                correct += int((st["s"][:, n_h:].argmax(1) == labels).sum())
                # The +beta and -beta phases run side by side as one batch of 2B rows from the same free state.
                nudged = {k: torch.cat([v, v]) for k, v in st.items()}
                target = eye[labels].repeat(2, 1)
                signs = torch.cat([torch.ones(b, 1), -torch.ones(b, 1)])
                record = []
                net.run(nudged, drive1[T1:].repeat(1, 2, 1), T2, target, signs * beta, record)
                spikes = torch.stack([r[0] for r in record])  # T2 x 2B x 510: S of hidden+output
                delta = torch.stack([r[1] for r in record])   # T2 x 2B x 510: dhat of hidden+output
                scale = 1.0 / (2.0 * beta * b)
                # dW_1: both phases share the input spikes, so the signed difference of dhat_h is paired once.
                d_h = (delta[:, :b, :n_h] - delta[:, b:, :n_h]).reshape(-1, n_h)
                net.w1_t.addmm_(sx[T1:].reshape(-1, n_in).t(), d_h, alpha=lr1 * scale)
                net.b1.add_(d_h.sum(0), alpha=lr1 * scale)
                # dW_2 = sum sigma (dhat_o S_h^T + S_o dhat_h^T) over the steps and both phases.
                spikes = spikes.view(-1, n_h + 10)
                delta = delta.mul_(signs).view(-1, n_h + 10)
                a2 = lr2 * scale
                net.w2.addmm_(delta[:, n_h:].t(), spikes[:, :n_h], alpha=a2)
                net.w2.addmm_(spikes[:, n_h:].t(), delta[:, :n_h], alpha=a2)
                net.b2.add_(delta[:, n_h:].sum(0), alpha=a2)
        clock.lap("train")
        test_correct = 0
        for start in range(0, x_test.shape[0], args.eval_batch):
            x = x_test[start:start + args.eval_batch]
            sx = input_spikes(x, T1)
            drive1 = net.input_drive(sx, args.input_events)
            st = net.run(net.start(x.shape[0]), drive1, T1)
            test_correct += int((st["s"][:, n_h:].argmax(1) == y_test[start:start + args.eval_batch]).sum())
        clock.lap("eval")
    if not (torch.isfinite(net.w1_t).all() and torch.isfinite(net.w2).all()):
        sys.exit("eqspike: training diverged (a weight is not finite)")
    result = {"peer": "eqspike", "config": "configs/eqspike_mnist.toml", "network": [n_in, n_h, 10],
              "epochs": args.epochs, "train_accuracy": correct / n, "test_accuracy": test_correct / x_test.shape[0],
              "test_samples": x_test.shape[0]}
    common.finish(result, clock, n * args.epochs, args)


if __name__ == "__main__":
    main()
