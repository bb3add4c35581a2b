"""RFC 9162 hashing and proofs: CT / transparency-dev test vectors and a brute-force MTH/PATH/PROOF."""

from __future__ import annotations

import functools
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hague.errors import VerificationError
from hague.ledger.rfc9162 import EMPTY_ROOT, leaf_hash, node_hash, root_from_leaves, split_point
from hague.ledger.tree import StoredTree
from hague.ledger.verify_offline import (
    consistency_proof_length,
    inclusion_proof_length,
    verify_consistency,
    verify_inclusion,
)

# Leaves and roots from certificate-transparency / transparency-dev/merkle (proof/verify_test.go).
CT_LEAVES = [
    bytes.fromhex(h)
    for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (leaf index, tree size, proof); indices are 0-based here (the Go file counts from 1).
CT_INCLUSION = [
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CT_CONSISTENCY = [
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]

CT_TREE = StoredTree.from_leaves([leaf_hash(e) for e in CT_LEAVES])


# --- brute force, straight from RFC 9162 §2.1 -------------------------------------------------


@functools.cache
def brute_mth(start: int, end: int) -> bytes:
    """MTH(D[start:end]) by the recursive definition (memoised on the range)."""
    if end == start:
        return hashlib.sha256(b"").digest()
    if end - start == 1:
        return LEAVES[start]
    k = 1
    while k * 2 < end - start:
        k *= 2
    return node_hash(brute_mth(start, start + k), brute_mth(start + k, end))


def brute_path(m: int, start: int, end: int) -> list[bytes]:
    """PATH(m, D[start:end])."""
    n = end - start
    if n == 1:
        return []
    k = split_point(n)
    if m < k:
        return [*brute_path(m, start, start + k), brute_mth(start + k, end)]
    return [*brute_path(m - k, start + k, end), brute_mth(start, start + k)]


def brute_subproof(m: int, start: int, end: int, complete: bool) -> list[bytes]:
    """SUBPROOF(m, D[start:end], complete)."""
    n = end - start
    if m == n:
        return [] if complete else [brute_mth(start, end)]
    k = split_point(n)
    if m <= k:
        return [*brute_subproof(m, start, start + k, complete), brute_mth(start + k, end)]
    return [*brute_subproof(m - k, start + k, end, False), brute_mth(start, start + k)]


LEAVES = tuple(leaf_hash(i.to_bytes(4, "big")) for i in range(1200))
TREE = StoredTree.from_leaves(list(LEAVES))


def mth_prefix(n: int) -> bytes:
    return brute_mth(0, n)


# --- vectors -----------------------------------------------------------------------------------


def test_empty_tree_root_is_sha256_of_nothing() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_ct_vectors(size: int) -> None:
    assert CT_TREE.root(size).hex() == CT_ROOTS[size - 1]
    assert root_from_leaves([leaf_hash(e) for e in CT_LEAVES[:size]]).hex() == CT_ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size", "proof"), CT_INCLUSION)
def test_inclusion_proofs_match_ct_vectors(index: int, size: int, proof: list[str]) -> None:
    assert [h.hex() for h in CT_TREE.inclusion_proof(index, size)] == proof
    verify_inclusion(
        index, size, leaf_hash(CT_LEAVES[index]), [bytes.fromhex(h) for h in proof], bytes.fromhex(CT_ROOTS[size - 1])
    )


@pytest.mark.parametrize(("old", "new", "proof"), CT_CONSISTENCY)
def test_consistency_proofs_match_ct_vectors(old: int, new: int, proof: list[str]) -> None:
    assert [h.hex() for h in CT_TREE.consistency_proof(old, new)] == proof
    verify_consistency(
        old, new, bytes.fromhex(CT_ROOTS[old - 1]), bytes.fromhex(CT_ROOTS[new - 1]), [bytes.fromhex(h) for h in proof]
    )


# --- brute force, every size 1-1200 ------------------------------------------------------------


def _indices(n: int) -> list[int]:
    if n <= 200:
        return list(range(n))
    step = max(1, n // 23)
    return sorted({0, 1, n // 2, n - 2, n - 1, *range(0, n, step)})


@pytest.mark.parametrize("chunk", range(12))
def test_proofs_equal_brute_force_for_every_size_up_to_1200(chunk: int) -> None:
    for n in range(chunk * 100 + 1, chunk * 100 + 101):
        root = mth_prefix(n)
        assert TREE.root(n) == root
        for m in _indices(n):
            proof = TREE.inclusion_proof(m, n)
            assert proof == brute_path(m, 0, n) == TREE.proof_ranges_check(m, n)
            assert len(proof) == inclusion_proof_length(m, n)
            verify_inclusion(m, n, LEAVES[m], proof, root)
        for old in _indices(n):
            if old == 0:
                continue
            proof = TREE.consistency_proof(old, n)
            assert proof == brute_subproof(old, 0, n, True) == TREE.consistency_ranges_check(old, n)
            assert len(proof) == consistency_proof_length(old, n)
            verify_consistency(old, n, mth_prefix(old), root, proof)


@pytest.mark.slow
def test_every_index_and_old_size_up_to_1200_equals_brute_force() -> None:
    for n in range(1, 1201):
        root = mth_prefix(n)
        for m in range(n):
            assert TREE.inclusion_proof(m, n) == brute_path(m, 0, n)
        for old in range(1, n + 1):
            proof = TREE.consistency_proof(old, n)
            assert proof == brute_subproof(old, 0, n, True)
            verify_consistency(old, n, mth_prefix(old), root, proof)


# --- hypothesis, sizes up to 10^6 --------------------------------------------------------------

BIG = 1_000_000


@pytest.fixture(scope="module")
def big_tree() -> StoredTree:
    return StoredTree.from_leaves([leaf_hash(i.to_bytes(4, "big")) for i in range(BIG)])


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_random_proofs_verify_in_trees_up_to_a_million(big_tree: StoredTree, data: st.DataObject) -> None:
    n = data.draw(st.integers(1, BIG))
    m = data.draw(st.integers(0, n - 1))
    old = data.draw(st.integers(1, n))
    root = big_tree.root(n)
    leaf = big_tree.leaf(m)
    verify_inclusion(m, n, leaf, big_tree.inclusion_proof(m, n), root)
    verify_consistency(old, n, big_tree.root(old), root, big_tree.consistency_proof(old, n))
    with pytest.raises(VerificationError):
        verify_inclusion(m, n, node_hash(leaf, leaf), big_tree.inclusion_proof(m, n), root)


@settings(max_examples=8, deadline=None)
@given(n=st.integers(1, BIG))
def test_stored_root_equals_recomputed_root_up_to_a_million(big_tree: StoredTree, n: int) -> None:
    assert big_tree.root(n) == root_from_leaves([big_tree.leaf(i) for i in range(n)])
