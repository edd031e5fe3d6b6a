"""PyTorch side of Galen's model benchmarks: the same models, shapes, optimizer and timing (median step after
warm-up) as dae-bench, cnn-bench and lstm-bench, and the dense encoder that `galen encode` is compared with.

    python3 Benchmarks/reference/torch_models.py dae|cnn|lstm|encode

Prints `figure = value unit` lines, as the Swift benchmarks do. Needs PyTorch (`pip install torch`); it runs on
the CPU with 2 threads, like Galen on this project's machine.
"""
import sys
import time

import torch
from torch import nn

torch.set_num_threads(2)
torch.manual_seed(0)


def median_seconds(step, steps, warmup=3):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def dae():
    """Encoder 2048-1024-256 (linear latent), decoder 256-1024-2048, head 256-64-1, flip noise 0.01, batch 256, Adam."""
    batch, bits = 256, 2048
    encoder = nn.Sequential(nn.Linear(bits, 1024), nn.ReLU(), nn.Linear(1024, 256))
    decoder = nn.Sequential(nn.ReLU(), nn.Linear(256, 1024), nn.ReLU(), nn.Linear(1024, bits))
    head = nn.Sequential(nn.ReLU(), nn.Linear(256, 64), nn.ReLU(), nn.Linear(64, 1))
    modules = nn.ModuleList([encoder, decoder, head])
    optimizer = torch.optim.Adam(modules.parameters(), lr=1e-3)
    batches = [((torch.rand(batch, bits) < 0.03).float(), torch.randn(batch, 1)) for _ in range(8)]
    state = {"index": 0}

    def step():
        fingerprints, targets = batches[state["index"] % len(batches)]
        state["index"] += 1
        flips = (torch.rand_like(fingerprints) < 0.01).float()
        noisy = fingerprints + flips - 2 * fingerprints * flips
        latent = encoder(noisy)
        loss = (nn.functional.binary_cross_entropy_with_logits(decoder(latent), fingerprints)
                + nn.functional.mse_loss(head(latent), targets))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    print(f"dae training = {batch / median_seconds(step, 40):.0f} samples/s")


def founding_cnn(channels, size):
    """Conv(32)-Pool-Conv(64)-Pool-Conv(128)-Pool-Flatten-Dense(128)-Dense(2), 3x3 same convolutions, ReLU."""
    layers, inputs = [], channels
    for filters in (32, 64, 128):
        layers += [nn.Conv2d(inputs, filters, 3, padding="same"), nn.ReLU(), nn.MaxPool2d(2)]
        inputs = filters
    side = size // 8
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(128 * side * side, 128), nn.ReLU(), nn.Dropout(0.5),
                         nn.Linear(128, 2))


def cnn():
    small = founding_cnn(1, 64)
    optimizer = torch.optim.Adam(small.parameters(), lr=1e-3)
    images, labels = torch.randn(32, 1, 64, 64), torch.arange(32) % 2

    def train_step():
        loss = nn.functional.cross_entropy(small(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    large = founding_cnn(3, 224).eval()
    photos = torch.randn(8, 3, 224, 224)

    def forward():
        with torch.no_grad():
            large(photos)

    print(f"cnn training 1x64x64 = {32 / median_seconds(train_step, 20):.0f} images/s")
    print(f"cnn forward 3x224x224 = {8 / median_seconds(forward, 5, warmup=1):.1f} images/s")


def lstm():
    """LSTM(64) over length-96 sequences of 1 feature, Dense(2) on the last state, batch 64, Adam."""
    recurrent, head = nn.LSTM(1, 64, batch_first=True), nn.Linear(64, 2)
    optimizer = torch.optim.Adam(list(recurrent.parameters()) + list(head.parameters()), lr=1e-3)
    sequences, labels = torch.randn(64, 96, 1), torch.arange(64) % 2

    def step():
        states, _ = recurrent(sequences)
        loss = nn.functional.cross_entropy(head(states[:, -1]), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    print(f"lstm training = {64 / median_seconds(step, 50):.0f} sequences/s")


def encode():
    """The dense encoder 2048-1024-256 on in-memory fingerprints, batch 4096: no file reading or writing."""
    encoder = nn.Sequential(nn.Linear(2048, 1024), nn.ReLU(), nn.Linear(1024, 256)).eval()
    fingerprints = (torch.rand(4096, 2048) < 0.03).float()

    def step():
        with torch.no_grad():
            encoder(fingerprints)

    print(f"encode in memory = {4096 / median_seconds(step, 20):.0f} compounds/s")


if __name__ == "__main__":
    benchmarks = {"dae": dae, "cnn": cnn, "lstm": lstm, "encode": encode}
    if len(sys.argv) != 2 or sys.argv[1] not in benchmarks:
        sys.exit(__doc__)
    benchmarks[sys.argv[1]]()
