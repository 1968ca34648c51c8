import numpy as np, pandas as pd, math, sys
from safetensors.numpy import load_file
from tokenizers import Tokenizer
W=load_file('minilm/model.safetensors'); tok=Tokenizer.from_file('minilm/tokenizer.json')
tok.no_padding(); tok.enable_truncation(128)
def ln(x,p): m=x.mean(-1,keepdims=True); v=((x-m)**2).mean(-1,keepdims=True); return (x-m)/np.sqrt(v+1e-12)*W[p+'.weight']+W[p+'.bias']
def lin(x,p): return x@W[p+'.weight'].T+W[p+'.bias']
def gelu(x): 
    from scipy.special import erf
    return 0.5*x*(1+erf(x/math.sqrt(2)))
def encode_batch(ids_list):
    B=len(ids_list); T=max(len(i) for i in ids_list)
    ids=np.zeros((B,T),int); mask=np.zeros((B,T),np.float32)
    for b,i in enumerate(ids_list): ids[b,:len(i)]=i; mask[b,:len(i)]=1
    x=W['embeddings.word_embeddings.weight'][ids]+W['embeddings.position_embeddings.weight'][:T][None]+W['embeddings.token_type_embeddings.weight'][0]
    x=ln(x,'embeddings.LayerNorm')
    H=12; D=384//H
    for l in range(6):
        p=f'encoder.layer.{l}.'
        q=lin(x,p+'attention.self.query').reshape(B,T,H,D).transpose(0,2,1,3)
        k=lin(x,p+'attention.self.key').reshape(B,T,H,D).transpose(0,2,1,3)
        v=lin(x,p+'attention.self.value').reshape(B,T,H,D).transpose(0,2,1,3)
        s=q@k.transpose(0,1,3,2)/math.sqrt(D)+(1-mask)[:,None,None,:]*-1e9
        s=np.exp(s-s.max(-1,keepdims=True)); s/=s.sum(-1,keepdims=True)
        a=(s@v).transpose(0,2,1,3).reshape(B,T,384)
        x=ln(lin(a,p+'attention.output.dense')+x,p+'attention.output.LayerNorm')
        h=gelu(lin(x,p+'intermediate.dense'))
        x=ln(lin(h,p+'output.dense')+x,p+'output.LayerNorm')
    return (x*mask[:,:,None]).sum(1)/mask.sum(1,keepdims=True)
def embed(texts,bs=64):
    encs=[tok.encode(t).ids for t in texts]
    order=np.argsort([len(e) for e in encs]); out=np.zeros((len(texts),384),np.float32)
    for s in range(0,len(texts),bs):
        idx=order[s:s+bs]; out[idx]=encode_batch([encs[i] for i in idx])
        if s%1280==0: print(s,file=sys.stderr)
    return out
if __name__=='__main__':
    df=pd.read_csv('data/AnnoMI-simple.csv')
    df=df[df.transcript_id%5!=0]
    texts=df.utterance_text.astype(str).tolist()
    E=embed(texts); np.save('./emb_ctx.npy',E); df[['transcript_id','utterance_id']].to_csv('./emb_ids.csv',index=False)
