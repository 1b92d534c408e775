#!/usr/bin/env python3
"""Measures what the compute roofline (models/src/compute.cpp) assumes, on the GPU this runs on:
GEMM throughput at transformer-layer shapes (BF16 and, where torch has it, FP8 e4m3), HBM copy
bandwidth, and board power under a sustained GEMM (nvidia-smi). Prints one JSON object.

These numbers are checks, never fit inputs: the project fits constants only on the public entries
in shared/reference (README, "Training calibration"). Usage (on a machine with an NVIDIA GPU and
PyTorch): python3 tools/device/gemm_probe.py > probe.json
"""
import json
import subprocess
import sys
import threading
import time

import torch

# (name, M tokens, K, N): one layer's GEMMs of public models at TP 8, one micro-batch.
SHAPES = [
    ("square-8192", 8192, 8192, 8192),
    ("llama3-70b-tp8-qkv", 8192, 8192, 1280),   # h 8192, 64 heads, 8 kv heads, d 128
    ("llama3-70b-tp8-proj", 8192, 1024, 8192),
    ("llama3-70b-tp8-fc1", 8192, 8192, 7168),   # SwiGLU: 2 x 28672 / 8
    ("llama3-70b-tp8-fc2", 8192, 3584, 8192),
    ("gpt3-175b-tp8-qkv", 2048, 12288, 4608),
    ("gpt3-175b-tp8-proj", 2048, 1536, 12288),
    ("gpt3-175b-tp8-fc1", 2048, 12288, 6144),
    ("gpt3-175b-tp8-fc2", 2048, 6144, 12288),
    ("llama3-8b-tp1-fc1", 8192, 4096, 28672),
]


def timed(fn, iters):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    start = torch.cuda.Event(enable_timing=True)
    end = torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(iters):
        fn()
    end.record()
    torch.cuda.synchronize()
    return start.elapsed_time(end) / 1e3 / iters


def gemm(m, k, n, dtype):
    a = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(n, k, device="cuda", dtype=torch.bfloat16)
    if dtype == "bf16":
        bt = b.t()
        return lambda: torch.mm(a, bt)
    a8 = a.to(torch.float8_e4m3fn)
    b8 = b.to(torch.float8_e4m3fn).t()
    one = torch.tensor(1.0, device="cuda")
    return lambda: torch._scaled_mm(a8, b8, scale_a=one, scale_b=one, out_dtype=torch.bfloat16)


def smi(query):
    out = subprocess.run(["nvidia-smi", "--query-gpu=" + query, "--format=csv,noheader,nounits"],
                         capture_output=True, text=True, check=False).stdout.strip().splitlines()
    return out[0] if out else ""


def main():
    res = {"gpu": torch.cuda.get_device_name(0), "torch": torch.__version__, "cuda": torch.version.cuda,
           "smi": smi("name,power.limit,clocks.max.sm,memory.total,driver_version"), "gemm": []}
    for name, m, k, n in SHAPES:
        for dtype in ("bf16", "fp8"):
            try:
                t = timed(gemm(m, k, n, dtype), 50)
                res["gemm"].append({"shape": name, "m": m, "k": k, "n": n, "dtype": dtype, "s": t,
                                    "tflops": 2.0 * m * k * n / t / 1e12})
            except Exception as e:  # FP8 needs torch >= 2.1 and a Hopper-class GPU
                res["gemm"].append({"shape": name, "dtype": dtype, "error": str(e)[:200]})
    x = torch.empty(2 * 1024**3, device="cuda", dtype=torch.uint8)
    y = torch.empty_like(x)
    t = timed(lambda: y.copy_(x), 20)
    res["hbm_copy_GBps"] = 2 * x.numel() / t / 1e9  # read + write
    # Board power under a sustained BF16 GEMM, sampled by nvidia-smi every 100 ms for ~8 s.
    samples = []
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            v = smi("power.draw,clocks.sm,temperature.gpu")
            if v:
                samples.append(v)
            time.sleep(0.1)

    idle = smi("power.draw")
    f = gemm(8192, 8192, 8192, "bf16")
    th = threading.Thread(target=sample)
    th.start()
    t0 = time.time()
    n = 0
    while time.time() - t0 < 8:
        for _ in range(20):
            f()
        torch.cuda.synchronize()
        n += 20
    stop.set()
    th.join()
    res["power"] = {"idle_w": idle, "under_gemm": samples[len(samples) // 2:], "gemm_iters": n}
    json.dump(res, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
