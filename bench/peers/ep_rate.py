#!/usr/bin/python3
"""PyTorch peer of configs/ep_mnist.toml: rate-based, prototypical discrete-time equilibrium propagation.

The same work as plasticore's `algorithm = "ep"` run (src/learn/relaxation.cpp, end_of_phase_rule.cpp,
ep_learner.cpp):
  network   784-500-10, W_l (post x pre) used forward and, transposed, as feedback; biases; input clamped
  init      Glorot-uniform x init_scale [1.0, 0.5], zero biases
  dynamics  s_l <- clip((1 - leak) s_l + leak (W_l s_{l-1} + W_{l+1}^T s_{l+1} + b_l + nudge), 0, 1), leak 1,
            every layer from the previous step's states; W_1 x computed once per batch (the input is clamped)
  phases    free T1 = 20 steps from zero states; one nudged phase of T2 = 4 steps from the free state with
            beta' = sign * 0.5, the sign drawn per mini-batch (beta_sign = "random"); nudge beta' (y - o) on
            the output, inside the clip
  rule      dW_1 = sign (h^b - h^0) x^T, dW_2 = sign (o^b h^b^T - o^0 h^0^T), db = sign sum (s^b - s^0);
            SGD  W += eta dW / (beta B), eta = [0.1, 0.05] (biases follow their layer), B = 20
  schedule  cosine to 0.1x over the epochs (1 epoch: constant), shuffled every epoch
  predict   argmax of the output state after the free phase
Differences from plasticore's arithmetic: float32 throughout as plasticore, but products go through
OpenBLAS instead of Eigen (other summation order); the random streams (init, shuffle, beta signs) are
torch's, so the runs are statistically, not bitwise, the same. The update is applied with fused
in-place `addmm_` (plasticore forms dW, scales it, then adds it).
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402  (pins threads before torch is imported)
import torch  # noqa: E402


def glorot(post, pre, scale):
    limit = scale * math.sqrt(6.0 / (pre + post))
    return (torch.rand(post, pre) * 2 - 1) * limit


class RateEP:
    def __init__(self, sizes, init_scale, leak):
        n_in, n_h, n_out = sizes
        self.w1 = glorot(n_h, n_in, init_scale[0])
        self.w2 = glorot(n_out, n_h, init_scale[1])
        self.b1 = torch.zeros(n_h)
        self.b2 = torch.zeros(n_out)
        self.leak = leak

    def relax(self, drive1, h, o, steps, target=None, beta=0.0):
        """`steps` steps from (h, o); drive1 = W_1 x + b_1 of the clamped input. Returns the new (h, o)."""
        w2, b2, leak = self.w2, self.b2, self.leak
        for _ in range(steps):
            u_h = torch.addmm(drive1, o, w2)  # W_1 x + b_1 + W_2^T o
            u_o = torch.addmm(b2, h, w2.t())  # W_2 h + b_2
            if target is not None:
                u_o.add_(target - o, alpha=beta)
            if leak != 1.0:
                u_h = torch.lerp(h, u_h, leak)
                u_o = torch.lerp(o, u_o, leak)
            h, o = u_h.clamp_(0, 1), u_o.clamp_(0, 1)
        return h, o

    def free(self, x, steps):
        drive1 = torch.addmm(self.b1, x, self.w1.t())
        h = torch.zeros(x.shape[0], self.w1.shape[0])
        o = torch.zeros(x.shape[0], self.w2.shape[0])
        h, o = self.relax(drive1, h, o, steps)
        return drive1, h, o


def main():
    p = common.ep_parser(__doc__.splitlines()[0], nudged_steps=4, leak=1.0)
    args = p.parse_args()
    torch.manual_seed(args.seed)
    clock = common.CpuClock()
    x_train, y_train = common.load_mnist("train", args.train_limit)
    x_test, y_test = common.load_mnist("test", args.test_limit)
    clock.lap("data")

    net = RateEP((x_train.shape[1], args.hidden, 10), args.init_scale, args.leak)
    n, B, beta = x_train.shape[0], args.batch_size, args.beta
    eye = torch.eye(10)
    correct = 0
    with torch.inference_mode():
        for epoch in range(args.epochs):
            factor = common.lr_factor(args.lr_schedule, args.lr_final_factor, epoch, args.epochs)
            lr1, lr2 = args.lr[0] * factor, args.lr[1] * factor
            order = torch.randperm(n)
            signs = torch.where(torch.rand((n + B - 1) // B) < 0.5, 1.0, -1.0).tolist()
            correct = 0
            for k, start in enumerate(range(0, n, B)):
                idx = order[start:start + B]
                x, labels = x_train[idx], y_train[idx]
                drive1, h0, o0 = net.free(x, args.free_steps)
                correct += int((o0.argmax(1) == labels).sum())
                sign = signs[k]
                h1, o1 = net.relax(drive1, h0, o0, args.nudged_steps, eye[labels], sign * beta)
                scale = sign / (beta * x.shape[0])
                dh = h1 - h0
                net.w1.addmm_(dh.t(), x, alpha=lr1 * scale)
                net.b1.add_(dh.sum(0), alpha=lr1 * scale)
                net.w2.addmm_(o1.t(), h1, alpha=lr2 * scale).addmm_(o0.t(), h0, alpha=-lr2 * scale)
                net.b2.add_((o1 - o0).sum(0), alpha=lr2 * scale)
        clock.lap("train")
        test_correct = 0
        for start in range(0, x_test.shape[0], args.eval_batch):
            _, _, o = net.free(x_test[start:start + args.eval_batch], args.free_steps)
            test_correct += int((o.argmax(1) == y_test[start:start + args.eval_batch]).sum())
        clock.lap("eval")
    if not (torch.isfinite(net.w1).all() and torch.isfinite(net.w2).all()):
        sys.exit("ep_rate: training diverged (a weight is not finite)")
    result = {"peer": "ep_rate", "config": "configs/ep_mnist.toml", "network": [x_train.shape[1], args.hidden, 10],
              "epochs": args.epochs, "train_accuracy": correct / n, "test_accuracy": test_correct / x_test.shape[0],
              "test_samples": x_test.shape[0]}
    common.finish(result, clock, n * args.epochs, args)


if __name__ == "__main__":
    main()
