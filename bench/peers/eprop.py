#!/usr/bin/python3
"""PyTorch peer of configs/eprop_sine.toml (--task sine: 100 LIF) and configs/eprop_evidence.toml
(--task evidence: 50 ALIF + 50 LIF): recurrent spiking networks trained with e-prop.

The same work as plasticore's `algorithm = "eprop"` runs (src/network/recurrent_snn.cpp, src/neuron/*.hpp,
src/learn/eprop.cpp, recurrent_learner.cpp, sequence_loss.hpp, src/data/{pattern_generation,evidence_accumulation}.cpp):
  network   n_in inputs -> n_rec recurrent (the first n_alif ALIF, the rest LIF) -> n_out leaky readouts, dt 1 ms;
            I = W_in x[t] + W_rec z[t-1] (no autapses); a = rho a + z[t-1]; v = alpha v + I - v_th z[t-1];
            z = H(v - v_th - adapt_beta a); psi = gamma / v_th max(0, 1 - |v - A| / v_th), gamma 0.3;
            y = kappa y + W_out z; v_th 0.6, tau_m = tau_out = 20 ms, tau_a = 2000 ms, adapt_beta 0.0174
  init      W ~ N(0, 1) scale / sqrt(n_pre), scales w_in 1.0, w_rec 0.5, w_out 1.0; zero W_rec diagonal
  e-prop    online, memory independent of T (symmetric feedback B = W_out^T), per synapse and step:
            eps_v = alpha eps_v + pre; eps_a = psi[t-1] eps_v[t-1] + (rho - adapt_beta psi[t-1]) eps_a;
            e = psi (eps_v - adapt_beta eps_a); ebar = kappa ebar + e; grad += L ebar, L = W_out^T err;
            readout grad += err zbar^T, zbar = kappa zbar + z;
            rate regularisation 1.0 (f - 10 Hz) / dt sum_t e, f = spike count / (T dt)
  loss      sine: mse on every step (err = y - y*); evidence: cross-entropy on the 150 ms recall window
            (err = softmax(y) - y* there, 0 elsewhere); prediction = argmax of y summed over the window
  update    mean over the batch, Adam (0.9, 0.999, 1e-8): sine lr 0.003, batch 1; evidence lr 0.005, batch 32;
            cosine schedule over epochs (1 epoch: constant)
  tasks     sine: 100 frozen Poisson inputs at 10 Hz, target sum of 4 sines (1, 2, 3, 5 Hz), A ~ U[0.5, 2],
            phase ~ U[0, 2 pi], T = 1000; the one sequence is trained and tested.
            evidence: 40 inputs (left 0-9, right 10-19, recall 20-29, noise 30-39 at 10 Hz), 7 cues of 100 ms
            every 150 ms at 40 Hz, recall window [T - 150, T) at 40 Hz, T = 2250; fresh training sequences,
            a fixed test set
How it is computed: the sequences of a batch run side by side (batch-first tensors); the per-synapse
traces are (B x n_rec x n_pre) tensors updated in place at every step (plasticore runs one sequence per
thread at a time, with n_rec x n_pre traces). W_in and W_rec are kept as one n_rec x (n_in + n_rec) matrix
so that one product gives I and one trace pass serves both. --mode factorized (LIF networks only, the
sine task) computes the same gradient the way Bellec's and Frenkel's reference code do: store psi, the
presynaptic traces and the learning signals of the whole sequence (memory O(T)) and form the gradient
with a backward-filtered learning signal and one GEMM; that is not online e-prop's memory profile.
Differences: the random streams (init, input spikes, target sines, cue sides) are torch's, not
plasticore's: the same task distributions, not the same sequences; products through OpenBLAS.
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import torch  # noqa: E402

TASKS = {
    #            n_in n_rec n_alif n_out  T     lr     batch train test
    "sine": dict(n_in=100, n_rec=100, n_alif=0, n_out=1, steps=1000, lr=0.003, batch=1, train=10, test=1,
                 config="configs/eprop_sine.toml"),
    "evidence": dict(n_in=40, n_rec=100, n_alif=50, n_out=2, steps=2250, lr=0.005, batch=32, train=320, test=512,
                     config="configs/eprop_evidence.toml"),
}
V_TH, GAMMA, TAU_M, TAU_OUT, TAU_A, ADAPT_BETA, DT = 0.6, 0.3, 20.0, 20.0, 2000.0, 0.0174, 1.0
REG_STRENGTH, TARGET_RATE_PER_MS = 1.0, 10.0e-3
RECALL_MS, CUE_PERIOD_MS, CUE_MS, CUES = 150, 150, 100, 7


# ---- tasks -------------------------------------------------------------------------------------------

class SineTask:
    """Pattern generation: one frozen input pattern and target curve (mse)."""

    def __init__(self, steps, generator):
        self.steps = steps
        self.x = (torch.rand(steps, 1, 100, generator=generator) < 10.0 * DT * 1e-3).float()
        amplitude = 0.5 + 1.5 * torch.rand(4, generator=generator, dtype=torch.float64)
        phase = 2 * math.pi * torch.rand(4, generator=generator, dtype=torch.float64)
        periods = torch.tensor([1000.0, 500.0, 1000.0 / 3.0, 200.0], dtype=torch.float64)
        t = torch.arange(steps, dtype=torch.float64)[:, None] * DT
        y = (amplitude * torch.sin(2 * math.pi * t / periods + phase)).sum(1)
        self.y = y.float().view(steps, 1, 1)

    def batch(self, size):
        return self.x.expand(self.steps, size, 100), self.y.expand(self.steps, size, 1)


class EvidenceTask:
    """Evidence accumulation: inputs T x B x 40 and the majority side per sequence (cross-entropy on the recall window)."""

    def __init__(self, steps):
        self.steps = steps
        self.recall_start = steps - RECALL_MS
        t = torch.arange(steps)
        cue = torch.div(t, CUE_PERIOD_MS, rounding_mode="floor")
        self.cue_index = torch.where((cue < CUES) & (t - cue * CUE_PERIOD_MS < CUE_MS), cue, torch.full_like(t, -1))

    def batch(self, size, generator=None):
        sides = torch.randint(0, 2, (size, CUES), generator=generator)
        labels = (sides.sum(1) > CUES // 2).long()
        p_cue, p_noise = 40.0 * DT * 1e-3, 10.0 * DT * 1e-3
        prob = torch.zeros(self.steps, size, 4, 10)
        prob[:, :, 3] = p_noise
        active = self.cue_index >= 0
        group = sides[:, self.cue_index.clamp(min=0)].t()  # T x B: side of the cue shown at t
        rows = active.nonzero().squeeze(1)
        prob[rows[:, None], torch.arange(size)[None, :], group[rows]] = p_cue
        prob[self.recall_start:, :, 2] = p_cue
        x = (torch.rand(prob.shape, generator=generator) < prob).float().view(self.steps, size, 40)
        return x, labels


# ---- network and e-prop -------------------------------------------------------------------------------

class RecurrentSNN:
    def __init__(self, n_in, n_rec, n_alif, n_out):
        self.n_in, self.n_rec, self.n_alif, self.n_out = n_in, n_rec, n_alif, n_out
        w_in = torch.randn(n_rec, n_in) * (1.0 / math.sqrt(n_in))
        w_rec = torch.randn(n_rec, n_rec) * (0.5 / math.sqrt(n_rec))
        w_rec.fill_diagonal_(0)
        self.w = torch.cat([w_in, w_rec], 1).contiguous()  # [W_in W_rec]: n_rec x (n_in + n_rec), the parameter
        self.w_out = torch.randn(n_out, n_rec) * (1.0 / math.sqrt(n_rec))
        self.alpha = math.exp(-DT / TAU_M)
        self.kappa = math.exp(-DT / TAU_OUT)
        self.rho = math.exp(-DT / TAU_A)
        self.weights_changed()

    def weights_changed(self):
        """The matrices the forward pass uses: W_in^T, (W_rec - v_th I)^T (the subtractive reset rides on the
        zero diagonal of W_rec: one product gives W_rec z[t-1] - v_th z[t-1]) and W_out^T."""
        self.w_in_t = self.w[:, :self.n_in].t().contiguous()
        w_rec = self.w[:, self.n_in:].clone()
        w_rec.diagonal().fill_(-V_TH)
        self.w_rec_t = w_rec.t().contiguous()
        self.w_out_t = self.w_out.t().contiguous()


class Run:
    """The state of a batch of sequences run side by side. x is T x B x n_in; the input drive W_in x[t] of
    every step is one product up front (the input does not depend on the network)."""

    def __init__(self, net, x):
        T, B = x.shape[0], x.shape[1]
        self.net, self.T, self.B = net, T, B
        self.drive = (x.reshape(T * B, net.n_in) @ net.w_in_t).view(T, B, net.n_rec).unbind(0)
        self.v = torch.zeros(B, net.n_rec)
        self.a = torch.zeros(B, net.n_alif)
        self.y = torch.zeros(B, net.n_out)
        self.z = torch.zeros(B, net.n_rec)  # z[t-1] before a step, z[t] after

    def step(self, t):
        """Step t: returns z[t] (a new tensor), psi[t], y[t]; z[t-1] is self.z on entry."""
        net, n_alif, z_prev = self.net, self.net.n_alif, self.z
        v = torch.add(self.drive[t], self.v, alpha=net.alpha, out=self.v).addmm_(z_prev, net.w_rec_t)
        u = v - V_TH
        if n_alif:  # the adaptive threshold v_th + adapt_beta a of the ALIF neurons
            a = self.a.mul_(net.rho).add_(z_prev[:, :n_alif])
            u[:, :n_alif].sub_(a, alpha=ADAPT_BETA)
        z = torch.gt(u, 0).to(u.dtype)
        psi = torch.rsub(u.abs_(), GAMMA / V_TH, alpha=GAMMA / (V_TH * V_TH)).clamp_(min=0)
        y = self.y.mul_(net.kappa).addmm_(z, net.w_out_t)
        self.z = z
        return z, psi, y


def error_of(task, y, target, t):
    """err[t] = dLoss/dy[t]; None outside the cross-entropy window (where it is zero)."""
    if isinstance(task, SineTask):
        return y - target[t]
    if t < task.recall_start:
        return None
    err = torch.softmax(y, 1)
    err[torch.arange(y.shape[0]), target] -= 1.0
    return err


def eprop_online(net, task, x, target):
    """Online e-prop over a batch: mean gradients of [W_in W_rec] and W_out, and the mean spike rate (Hz)."""
    run = Run(net, x)
    T, B = run.T, run.B
    n_in, n_rec, n_alif = net.n_in, net.n_rec, net.n_alif
    n_pre = n_in + n_rec
    kappa, rho, alpha = net.kappa, net.rho, net.alpha
    xs = x.unbind(0)
    # eps^v of every presynaptic neuron (the same for every postsynaptic j): two buffers, swapped each step,
    # each with views of its input and recurrent parts made once.
    buffers = [torch.zeros(B, n_pre), torch.zeros(B, n_pre)]
    views = [(e[:, :n_in], e[:, n_in:], e[:, None, :]) for e in buffers]
    psi_alif_prev = torch.zeros(B, n_alif)
    eps_a = torch.zeros(B, n_alif, n_pre)
    ebar = torch.zeros(B, n_rec, n_pre)
    grad = torch.zeros(B, n_rec, n_pre)
    trace_sum = torch.zeros(B, n_rec, n_pre)
    ebar_alif, trace_sum_alif = ebar[:, :n_alif], trace_sum[:, :n_alif]
    zbar = torch.zeros(B, n_rec)
    count = torch.zeros(B, n_rec)
    grad_out = torch.zeros(net.n_out, n_rec)
    for t in range(T):
        cur_in, cur_rec, eps_row = views[t % 2]
        prev_in, prev_rec, prev_row = views[(t + 1) % 2]
        torch.add(xs[t], prev_in, alpha=alpha, out=cur_in)  # eps_v = alpha eps_v + [x[t], z[t-1]]
        torch.add(run.z, prev_rec, alpha=alpha, out=cur_rec)
        z, psi, y = run.step(t)
        err = error_of(task, y, target, t)
        psi_col = psi[:, :, None]
        # ebar = kappa ebar + e and sum_t e, with e = psi eps_v on every row and - adapt_beta psi eps_a on the ALIF rows
        ebar.mul_(kappa).addcmul_(psi_col, eps_row)
        trace_sum.addcmul_(psi_col, eps_row)
        if n_alif:
            # eps_a = psi[t-1] eps_v[t-1] + (rho - adapt_beta psi[t-1]) eps_a
            eps_a.mul_(torch.rsub(psi_alif_prev, rho, alpha=ADAPT_BETA)[:, :, None]).addcmul_(psi_alif_prev[:, :, None], prev_row)
            psi_alif_prev = psi[:, :n_alif]
            psi_alif_col = psi_col[:, :n_alif]
            ebar_alif.addcmul_(psi_alif_col, eps_a, value=-ADAPT_BETA)
            trace_sum_alif.addcmul_(psi_alif_col, eps_a, value=-ADAPT_BETA)
        zbar.mul_(kappa).add_(z)
        count.add_(z)
        if err is not None:
            grad.addcmul_((err @ net.w_out)[:, :, None], ebar)  # L = W_out^T err
            grad_out.addmm_(err.t(), zbar)
    reg = (count / (T * DT) - TARGET_RATE_PER_MS) * (REG_STRENGTH / DT)
    g = grad.sum(0).add_(torch.einsum("bj,bji->ji", reg, trace_sum)).div_(B)
    g[:, n_in:].fill_diagonal_(0)
    return g, grad_out.div_(B), float(count.sum()) / (B * n_rec * T * DT) * 1e3


def filtered(seq, decay, reverse=False):
    """f[t] = decay f[t -+ 1] + seq[t] along the first axis (forward, or backward with reverse)."""
    out = torch.empty_like(seq)
    acc = torch.zeros_like(seq[0])
    steps = range(seq.shape[0] - 1, -1, -1) if reverse else range(seq.shape[0])
    for t in steps:
        torch.add(seq[t], acc, alpha=decay, out=acc)
        out[t] = acc
    return out


def eprop_factorized(net, task, x, target):
    """The same gradient for an all-LIF network from stored sequences (Bellec's / Frenkel's formulation):
    e_ji[t] = psi_j[t] eps_i[t], so sum_t L_j[t] ebar_ji[t] = sum_t (psi_j[t] Lbar_j[t]) eps_i[t] with the
    backward-filtered learning signal Lbar[t] = sum_{t' >= t} kappa^(t' - t) L[t']."""
    if net.n_alif:
        sys.exit("eprop: --mode factorized is for LIF networks (--task sine)")
    run = Run(net, x)
    T, B = run.T, run.B
    psis = torch.empty(T, B, net.n_rec)
    zs = torch.empty(T + 1, B, net.n_rec)  # zs[t + 1] = z[t], zs[0] = z[-1] = 0
    zs[0] = 0
    errs = torch.zeros(T, B, net.n_out)
    for t in range(T):
        z, psi, y = run.step(t)
        psis[t], zs[t + 1] = psi, z
        err = error_of(task, y, target, t)
        if err is not None:
            errs[t] = err
    pre = torch.cat([x, zs[:T]], 2)  # [x[t], z[t-1]]
    eps = filtered(pre, net.alpha)
    lbar = filtered(errs @ net.w_out, net.kappa, reverse=True)  # T x B x n_rec
    zbar = filtered(zs[1:], net.kappa)
    rate_error = zs.sum(0) / (T * DT) - TARGET_RATE_PER_MS
    factor = psis * (lbar + rate_error * (REG_STRENGTH / DT))
    g = factor.reshape(T * B, -1).t() @ eps.reshape(T * B, -1) / B
    g[:, net.n_in:].fill_diagonal_(0)
    g_out = errs.reshape(T * B, -1).t() @ zbar.reshape(T * B, -1) / B
    return g, g_out, float(zs.sum()) / (B * net.n_rec * T * DT) * 1e3


def evaluate(net, task, x, target):
    """Forward pass of a batch: the readout (T x B x n_out) for the sine task, else the correct count."""
    run = Run(net, x)
    ys = torch.empty(run.T, run.B, net.n_out)
    for t in range(run.T):
        ys[t] = run.step(t)[2]
    if isinstance(task, SineTask):
        return ys
    return int((ys[task.recall_start:].sum(0).argmax(1) == target).sum())


def main():
    p = common.base_parser(__doc__.splitlines()[0])
    p.add_argument("--task", choices=sorted(TASKS), default="sine")
    p.add_argument("--mode", choices=["online", "factorized"], default="online")
    p.add_argument("--batch-size", type=int, default=0, help="0 = the config's")
    p.add_argument("--lr", type=float, default=0.0, help="0 = the config's")
    p.add_argument("--eval-batch", type=int, default=256, help="as plasticore")
    p.set_defaults(train_limit=-1, test_limit=-1)
    args = p.parse_args()
    cfg = TASKS[args.task]
    if args.task == "sine" and args.lr_schedule == "cosine" and "--lr-schedule" not in sys.argv:
        args.lr_schedule = "constant"  # eprop_sine.toml has no schedule
    train_n = cfg["train"] if args.train_limit < 0 else args.train_limit
    test_n = cfg["test"] if args.test_limit < 0 else args.test_limit
    B = args.batch_size or cfg["batch"]
    lr = args.lr or cfg["lr"]
    torch.manual_seed(args.seed)
    clock = common.CpuClock()
    if args.task == "sine":
        task = SineTask(cfg["steps"], torch.Generator().manual_seed(args.seed))
        test_x, test_y = task.batch(1)
    else:
        task = EvidenceTask(cfg["steps"])
        test_gen = torch.Generator().manual_seed(10_000 + args.seed)  # the test stream, disjoint from training's
        tests = [task.batch(min(args.eval_batch, test_n - s), test_gen) for s in range(0, test_n, args.eval_batch)]
    clock.lap("data")

    net = RecurrentSNN(cfg["n_in"], cfg["n_rec"], cfg["n_alif"], cfg["n_out"])
    params = [net.w, net.w_out]
    opt = torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999), eps=1e-8)
    gradients = eprop_online if args.mode == "online" else eprop_factorized
    rate = 0.0
    with torch.no_grad():
        for epoch in range(args.epochs):
            for group in opt.param_groups:
                group["lr"] = lr * common.lr_factor(args.lr_schedule, args.lr_final_factor, epoch, args.epochs)
            for start in range(0, train_n, B):
                b = min(B, train_n - start)
                x, target = task.batch(b)
                g, g_out, rate = gradients(net, task, x, target)
                net.w.grad, net.w_out.grad = g, g_out
                opt.step()
                net.weights_changed()
        clock.lap("train")
        result = {"peer": "eprop", "task": args.task, "mode": args.mode, "config": cfg["config"],
                  "network": [cfg["n_in"], cfg["n_rec"], cfg["n_out"]], "adaptive": cfg["n_alif"],
                  "epochs": args.epochs, "batch_size": B, "train_mean_rate_hz": rate}
        if args.task == "sine":
            ys = evaluate(net, task, test_x, test_y)
            mse = float((ys - test_y).square().mean())
            result["test_nmse"] = mse / float(test_y.var(unbiased=False))
            result["test_samples"] = 1
        else:
            correct = sum(evaluate(net, task, x, labels) for x, labels in tests)
            result["test_accuracy"] = correct / test_n
            result["test_samples"] = test_n
        clock.lap("eval")
    if not (torch.isfinite(net.w).all() and torch.isfinite(net.w_out).all()):
        sys.exit("eprop: training diverged (a weight is not finite)")
    common.finish(result, clock, train_n * args.epochs, args)


if __name__ == "__main__":
    main()
